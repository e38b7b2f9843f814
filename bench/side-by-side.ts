import type { LoadRequest, LoadResult, LoadSpec } from './load.js';
import { runLoad } from './load.js';
import type { Pinning } from './pinning.js';
import type { BenchSettings } from './settings.js';

/** One contender of a scenario: a name and the request it is measured with. */
export interface Variant {
  readonly name: string;
  readonly load: LoadRequest;
  /** Called, and awaited, before each measured round of this variant (to snapshot counters). */
  beforeRound?(): void | Promise<void>;
  /** Called, and awaited, after each measured round, with what it measured. */
  afterRound?(result: LoadResult): void | Promise<void>;
}

/** A variant's rounds and their medians. */
export interface Measurement {
  readonly name: string;
  readonly requestsPerSecond: number;
  /**
   * The slowest and the fastest round: how far the machine moved the figure
   * during the run. Absent for a single measured run.
   */
  readonly requestsPerSecondRange?: { readonly min: number; readonly max: number };
  readonly p50Ms: number;
  readonly p99Ms: number;
  /**
   * Requests it answered in all, warm-up included. A closed-loop generator
   * stops with one request in flight per connection, which the server still
   * answers (and logs) but the generator does not count: they are added. An
   * open-loop one waits for every answer up to its drain limit; what it
   * abandons there counts as failed, not as sent.
   */
  readonly requestsSent: number;
  /** Failed requests in measured rounds: errors, timeouts and non-2xx answers. */
  readonly failures: number;
  /** The median of the rounds' `sendLagP99Ms`: open loop only. */
  readonly sendLagP99Ms?: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * A variant's figures from its measured load runs (medians, failures summed).
 * `unmeasured` runs, a warm-up, count only towards the requests sent, as do
 * the `uncountedPerRun` requests each run left answered but not counted.
 */
export function measurementOf(
  name: string,
  measured: readonly LoadResult[],
  unmeasured: readonly LoadResult[],
  uncountedPerRun: number,
): Measurement {
  const requestsPerSecond = measured.map((result) => result.requestsPerSecond);
  const sendLags = measured.flatMap((result) => (result.sendLagP99Ms === undefined ? [] : [result.sendLagP99Ms]));
  return {
    name,
    requestsPerSecond: median(requestsPerSecond),
    requestsPerSecondRange:
      requestsPerSecond.length > 1
        ? { min: Math.min(...requestsPerSecond), max: Math.max(...requestsPerSecond) }
        : undefined,
    p50Ms: median(measured.map((result) => result.p50Ms)),
    p99Ms: median(measured.map((result) => result.p99Ms)),
    requestsSent: [...unmeasured, ...measured].reduce((sum, result) => sum + result.requests + uncountedPerRun, 0),
    failures: measured.reduce((sum, result) => sum + result.errors + result.non2xx, 0),
    sendLagP99Ms: sendLags.length > 0 ? median(sendLags) : undefined,
  };
}

/** Progress goes to stderr, so stdout holds only the table. */
export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/**
 * Measures the variants side by side: a warm-up of each, then `rounds`
 * alternating rounds, each starting one variant later (A B C, B C A,
 * C A B, ...), so that drift on a shared machine spreads over every
 * variant alike, and what one server leaves running after its round (a
 * queue's flush, asynchronous writes) does not always land on the same
 * neighbour. Figures are the medians of the rounds. With `ratePerSecond`,
 * every variant is offered that rate on a fixed schedule (open loop) instead
 * of being driven as fast as it answers.
 */
export async function measureSideBySide(
  scenario: string,
  variants: readonly Variant[],
  settings: BenchSettings,
  pinning: Pinning,
  ratePerSecond?: number,
): Promise<Measurement[]> {
  const spec = (variant: Variant, durationSeconds: number): LoadSpec => ({
    ...variant.load,
    connections: settings.connections,
    durationSeconds,
    ratePerSecond,
  });
  const warmups = new Map<string, LoadResult>();
  const rounds = new Map<string, LoadResult[]>(variants.map((variant) => [variant.name, []]));
  for (const variant of variants) {
    progress(`${scenario}: warm-up ${variant.name}`);
    warmups.set(variant.name, await runLoad(spec(variant, settings.warmupSeconds), pinning));
  }
  for (let round = 1; round <= settings.rounds; round++) {
    for (let turn = 0; turn < variants.length; turn++) {
      const variant = variants[(turn + round - 1) % variants.length];
      await variant.beforeRound?.();
      const result = await runLoad(spec(variant, settings.durationSeconds), pinning);
      await variant.afterRound?.(result);
      rounds.get(variant.name)!.push(result);
      progress(
        `${scenario}: round ${round}/${settings.rounds} ${variant.name}: ${Math.round(result.requestsPerSecond)} req/s, ` +
          `p99 ${result.p99Ms.toFixed(2)} ms`,
      );
    }
  }
  // A closed loop ends each run with a request in flight per connection (see `requestsSent`).
  const uncountedPerRun = ratePerSecond === undefined ? settings.connections : 0;
  return variants.map(({ name }) => {
    const measurement = measurementOf(name, rounds.get(name)!, [warmups.get(name)!], uncountedPerRun);
    // At a fixed rate every round is offered the same rate: its spread says nothing.
    return ratePerSecond === undefined ? measurement : { ...measurement, requestsPerSecondRange: undefined };
  });
}
