import type { LoadResult } from './load.js';
import type { CountedLoad } from './open-loop.js';

/** The value at `fraction` of `sorted` (nearest rank); NaN when it is empty. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

/**
 * What a load run counted, as the figures the tables show. Requests per
 * second are of 2xx answers only: a server that answers errors fast does
 * not look fast. Sorts `latenciesMs` and `sendLagsMs` in place.
 */
export function loadResultOf({ latenciesMs, sendLagsMs, ...counted }: CountedLoad): LoadResult {
  const sorted = latenciesMs.sort();
  return {
    ...counted,
    requestsPerSecond: (counted.requests - counted.non2xx) / counted.seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    sendLagP99Ms: sendLagsMs === undefined ? undefined : percentile(sendLagsMs.sort(), 0.99),
  };
}
