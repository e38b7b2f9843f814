import type { Pinning } from './pinning.js';
import type { BenchSettings } from './settings.js';
import type { Measurement } from './side-by-side.js';
import type { RunningTarget, TargetSpec } from './target-process.js';
import { startTarget } from './target-process.js';

/** What every scenario is given. */
export interface ScenarioContext {
  readonly settings: BenchSettings;
  readonly pinning: Pinning;
}

/**
 * One line of a scenario's table: a measured variant, one that was skipped
 * and why, or (neither) one whose figures are all in `extra`.
 */
export interface ReportRow {
  readonly name: string;
  readonly measurement?: Measurement;
  readonly skipped?: string;
  /** Scenario-specific figures, by column name. */
  readonly extra?: Readonly<Record<string, string>>;
}

/** A target of the issue, next to the figure it is judged by. */
export interface TargetCheck {
  readonly target: string;
  readonly figure: string;
  readonly met: boolean;
}

/** One table of the results. */
export interface ScenarioReport {
  readonly title: string;
  /** The row every ratio is taken against. */
  readonly baseline: string;
  readonly rows: readonly ReportRow[];
  /** The names of the `extra` columns, in order. */
  readonly extraColumns: readonly string[];
  readonly checks: readonly TargetCheck[];
  /** What a reader needs to read the table right (what was sent, what the extra columns mean). */
  readonly notes: readonly string[];
}

/** A scenario of the suite: `--only <id>` picks it. */
export interface Scenario {
  readonly id: string;
  readonly description: string;
  run(context: ScenarioContext): Promise<ScenarioReport[]>;
}

/**
 * Starts the servers one after another on the server core, runs `work`
 * with them, and stops them all whatever happens.
 */
export async function withTargets<T>(
  specs: readonly TargetSpec[],
  context: ScenarioContext,
  work: (targets: RunningTarget[]) => Promise<T>,
): Promise<T> {
  const targets: RunningTarget[] = [];
  try {
    for (const spec of specs) targets.push(await startTarget(spec, context.pinning));
    return await work(targets);
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
  }
}

/** A scenario's columns beyond the standard figures: heading, and how a row's cell is worked out. */
export type ExtraColumns<T> = Readonly<Record<string, (item: T) => string>>;

/**
 * A row per measured item and its `extra` cells, with the column headings
 * taken from the same declaration, so a cell and its heading cannot drift apart.
 */
export function measuredRows<T extends { readonly measurement: Measurement }>(
  items: readonly T[],
  columns: ExtraColumns<T>,
): Pick<ScenarioReport, 'rows' | 'extraColumns'> {
  const headings = Object.keys(columns);
  return {
    rows: items.map((item) => ({
      name: item.measurement.name,
      measurement: item.measurement,
      extra: Object.fromEntries(headings.map((heading) => [heading, columns[heading](item)])),
    })),
    extraColumns: headings,
  };
}

/** The open loop's own lag, for the tables of fixed-rate rounds: `—` for a closed loop. */
export const SEND_LAG_COLUMN: ExtraColumns<{ readonly measurement: Measurement }> = {
  'send lag p99 ms': ({ measurement }) => measurement.sendLagP99Ms?.toFixed(2) ?? '—',
};

/** What {@link SEND_LAG_COLUMN} means, for a table's notes. */
export const SEND_LAG_NOTE =
  "send lag p99 ms: how late the generator's requests left against their schedule (the 99th percentile, median of the rounds). Up to about 1 ms is its timer's grain; more means it fell behind (its own pauses, or a core it did not get) and offered the load in bursts, so the latencies of that table are the machine's as much as the server's.";

/** `a / b` as a ratio rounded for a table, e.g. `0.97×`. */
export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

/** Bytes as KiB with one decimal. */
export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
