/**
 * Stand-ins for the bench's round wrappers (`withCpuRounds`,
 * `withGcRounds`, the RSS sampler): a target that is no process, round
 * results without load, and a variant whose hooks note their calls.
 */
import type { LoadResult } from '../../bench/load.js';
import type { Variant } from '../../bench/side-by-side.js';
import type { RunningTarget } from '../../bench/target-process.js';

/** A round's result with `fields` set, and no call in one second otherwise. */
export function roundOf(fields: Partial<LoadResult>): LoadResult {
  const none: LoadResult = { requests: 0, seconds: 1, requestsPerSecond: 0, p50Ms: 0, p99Ms: 0, errors: 0, non2xx: 0 };
  return Object.assign(none, fields);
}

/**
 * A target that is no process, named `server` unless given a name: its
 * figures are those given, 0 otherwise, and it has no GC channel unless
 * given one.
 */
export function stubTarget(
  figures: Partial<Pick<RunningTarget, 'name' | 'rssBytes' | 'cpuSeconds' | 'gcTotals'>>,
): RunningTarget {
  return Object.assign(
    { name: 'server', rssBytes: () => 0, cpuSeconds: () => 0, stop: () => Promise.resolve() },
    figures,
  );
}

/**
 * A variant whose hooks note each call in `calls`: `before` ahead of a
 * round, and `after <figure>` after it, with `figure` read from its result.
 */
export function notingVariant(calls: string[], figure: (result: LoadResult) => number): Variant {
  return {
    name: 'server',
    load: { url: 'http://127.0.0.1:1/', method: 'GET', headers: {} },
    beforeRound: () => void calls.push('before'),
    afterRound: (result) => void calls.push(`after ${figure(result)}`),
  };
}

/** Runs `variant`'s hooks around each of `results` in turn, as measured rounds run them, without load. */
export async function runRounds(variant: Variant, results: readonly LoadResult[]): Promise<void> {
  for (const result of results) {
    await variant.beforeRound?.();
    await variant.afterRound?.(result);
  }
}
