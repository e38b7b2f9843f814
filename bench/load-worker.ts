/**
 * The load generator's own process: reads one {@link LoadSpec} as JSON on
 * stdin, runs it, and prints one {@link LoadResult} as JSON on stdout. A
 * spec with `ratePerSecond` runs open-loop at that rate (see open-loop.ts);
 * one without runs autocannon's closed loop (see closed-loop.ts), as fast
 * as the server answers.
 */
import { text } from 'node:stream/consumers';
import { runClosedLoop } from './closed-loop.js';
import type { LoadResult, LoadSpec } from './load.js';
import { runOpenLoop } from './open-loop.js';

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

const spec = JSON.parse(await text(process.stdin)) as LoadSpec;
const { latenciesMs, ...counted } =
  spec.ratePerSecond === undefined ? await runClosedLoop(spec) : await runOpenLoop(spec, spec.ratePerSecond);
const sorted = latenciesMs.sort();
const answer: LoadResult = {
  ...counted,
  requestsPerSecond: counted.requests / counted.seconds,
  p50Ms: percentile(sorted, 0.5),
  p99Ms: percentile(sorted, 0.99),
};
process.stdout.write(JSON.stringify(answer));
