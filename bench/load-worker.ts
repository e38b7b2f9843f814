/**
 * The load generator's own process: reads one {@link LoadSpec} as JSON on
 * stdin, runs it, and prints one {@link LoadResult} as JSON on stdout. A
 * spec with `ratePerSecond` runs open-loop at that rate (see open-loop.ts);
 * one without runs autocannon's closed loop, as fast as the server answers.
 * Latencies are taken from each response at microsecond resolution
 * (autocannon's own histogram keeps whole milliseconds, too coarse for
 * sub-millisecond servers).
 */
import autocannon from 'autocannon';
import { text } from 'node:stream/consumers';
import type { LoadResult, LoadSpec } from './load.js';
import type { CountedLoad } from './open-loop.js';
import { runOpenLoop } from './open-loop.js';

const MAX_LATENCY_SAMPLES = 5_000_000;

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

async function closedLoop(spec: LoadSpec): Promise<CountedLoad> {
  const latencies = new Float64Array(MAX_LATENCY_SAMPLES);
  let samples = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: spec.method,
        headers: spec.headers,
        body: spec.body,
        connections: spec.connections,
        duration: spec.durationSeconds,
      },
      (error, finished) => (error === null ? resolve(finished) : reject(error as Error)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 300 && samples < MAX_LATENCY_SAMPLES) latencies[samples++] = responseTime;
    });
  });
  return {
    latenciesMs: latencies.subarray(0, samples),
    requests: result.requests.total,
    seconds: result.duration,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

const spec = JSON.parse(await text(process.stdin)) as LoadSpec;
const { latenciesMs, ...counted } =
  spec.ratePerSecond === undefined ? await closedLoop(spec) : await runOpenLoop(spec, spec.ratePerSecond);
const sorted = latenciesMs.sort();
const answer: LoadResult = {
  ...counted,
  requestsPerSecond: counted.requests / counted.seconds,
  p50Ms: percentile(sorted, 0.5),
  p99Ms: percentile(sorted, 0.99),
};
process.stdout.write(JSON.stringify(answer));
