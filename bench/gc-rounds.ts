/**
 * A server's garbage collections round by round, for the servers that
 * report them (see targets/gc-report.ts): the totals are read before and
 * after each of its measured rounds, and the difference is taken per second
 * of the round, so that rounds and servers of different lengths and rates
 * compare.
 */
import type { LoadResult } from './load.js';
import type { ExtraColumns } from './scenario.js';
import type { Variant } from './side-by-side.js';
import { median } from './side-by-side.js';
import type { RunningTarget } from './target-process.js';
import type { GcTotals } from './targets/gc-report.js';

/** A server's collections over its measured rounds: medians of the rounds. */
export interface GcFigures {
  readonly markCompactsPerSecond: number;
  readonly scavengesPerSecond: number;
  /** The share of each round's time the server spent collecting, 0 to 1. */
  readonly pauseShare: number;
}

const MILLIS_PER_SECOND = 1e3;

function perSecondOfRound(before: GcTotals, after: GcTotals, result: LoadResult): GcFigures {
  return {
    markCompactsPerSecond: (after.markCompacts - before.markCompacts) / result.seconds,
    scavengesPerSecond: (after.scavenges - before.scavenges) / result.seconds,
    pauseShare: (after.pauseMs - before.pauseMs) / (result.seconds * MILLIS_PER_SECOND),
  };
}

/**
 * `variant`, also noting in `rounds`, per measured round, the collections
 * `target` ran during it; `variant` itself when `target` reports none.
 * The variant's own round hooks still run, the totals read closest to the round.
 */
export function withGcRounds(variant: Variant, target: RunningTarget, rounds: GcFigures[]): Variant {
  const gcTotals = target.gcTotals;
  if (gcTotals === undefined) return variant;
  let before: GcTotals | undefined;
  return {
    ...variant,
    beforeRound: async () => {
      await variant.beforeRound?.();
      before = await gcTotals();
    },
    afterRound: async (result) => {
      rounds.push(perSecondOfRound(before!, await gcTotals(), result));
      await variant.afterRound?.(result);
    },
  };
}

/** The medians of `rounds`; undefined when there are none (the server reports no collections). */
export function gcFiguresOf(rounds: readonly GcFigures[]): GcFigures | undefined {
  if (rounds.length === 0) return undefined;
  return {
    markCompactsPerSecond: median(rounds.map((round) => round.markCompactsPerSecond)),
    scavengesPerSecond: median(rounds.map((round) => round.scavengesPerSecond)),
    pauseShare: median(rounds.map((round) => round.pauseShare)),
  };
}

const PERCENT = 100;

function gcCell(gc: GcFigures | undefined, figure: (gc: GcFigures) => string): string {
  return gc === undefined ? '—' : figure(gc);
}

/** The table columns of a row's collections: `—` where its server reports none. */
export const GC_COLUMNS: ExtraColumns<{ readonly gc?: GcFigures }> = {
  'mark-compacts/s': ({ gc }) => gcCell(gc, (figures) => figures.markCompactsPerSecond.toFixed(2)),
  'scavenges/s': ({ gc }) => gcCell(gc, (figures) => figures.scavengesPerSecond.toFixed(1)),
  'GC time': ({ gc }) => gcCell(gc, (figures) => `${(figures.pauseShare * PERCENT).toFixed(1)}%`),
};

/** What {@link GC_COLUMNS} mean, for a table's notes. */
export const GC_NOTE =
  "mark-compacts/s, scavenges/s, GC time: the app's garbage collections in each measured round, per second of the round, and the share of the round it spent collecting (medians of the rounds), counted in its own process (`bench/targets/gc-report.ts`). They move far less than latency when the machine is busy, and a mark-compact pauses every request that arrives during it.";
