/**
 * A server's CPU time per call, round by round: its process's CPU time
 * (target-process.ts `cpuSeconds`) is read before and after each of its
 * measured rounds and divided by the calls answered in the round. Requests
 * per second fall when the machine gives the server less of its core; the
 * CPU a call takes does not count that time, so two servers' costs under
 * the same load compare even in a run on a busy machine.
 */
import type { ExtraColumns } from './scenario.js';
import type { Variant } from './side-by-side.js';
import { median } from './side-by-side.js';
import type { RunningTarget } from './target-process.js';

const MICROS_PER_SECOND = 1e6;

/**
 * `variant`, also noting in `rounds`, per measured round that answered any
 * call, the microseconds of CPU `target` spent per call answered during it.
 * The variant's own round hooks still run, the CPU time read closest to the round.
 */
export function withCpuRounds(variant: Variant, target: RunningTarget, rounds: number[]): Variant {
  let before = 0;
  return {
    ...variant,
    beforeRound: async () => {
      await variant.beforeRound?.();
      before = target.cpuSeconds();
    },
    afterRound: async (result) => {
      const spent = target.cpuSeconds() - before;
      if (result.requests > 0) rounds.push((spent * MICROS_PER_SECOND) / result.requests);
      await variant.afterRound?.(result);
    },
  };
}

/** The median of `rounds`; undefined when there are none. */
export function cpuPerCallOf(rounds: readonly number[]): number | undefined {
  return rounds.length === 0 ? undefined : median(rounds);
}

/** The table column of a row's CPU time per call: `—` where none was measured. */
export const CPU_COLUMN: ExtraColumns<{ readonly cpuMicrosPerCall?: number }> = {
  'CPU µs/call': ({ cpuMicrosPerCall }) => cpuMicrosPerCall?.toFixed(1) ?? '—',
};

/** What {@link CPU_COLUMN} means, for a table's notes. */
export const CPU_NOTE =
  "CPU µs/call: the CPU time the app's process used in each measured round, every thread of it (the thread pool's gzip and the garbage collector's helpers count), over the calls it answered in the round (median of the rounds), read from /proc. Time the app waited for its core (taken by another process, or by the hypervisor) is not in it, so it holds where req/s falls on a busy machine. It rises when the app is less busy, as fewer calls share each wake-up of its event loop: compare it between apps under the same load.";
