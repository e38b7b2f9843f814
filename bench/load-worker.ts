/**
 * The load generator's own process: reads one {@link LoadSpec} as JSON on
 * stdin, runs autocannon, and prints one {@link LoadResult} as JSON on
 * stdout. Latencies are taken from each response at microsecond resolution
 * (autocannon's own histogram keeps whole milliseconds, too coarse for
 * sub-millisecond servers).
 */
import autocannon from 'autocannon';
import { text } from 'node:stream/consumers';
import type { LoadResult, LoadSpec } from './load.js';

const MAX_LATENCY_SAMPLES = 5_000_000;

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

const spec = JSON.parse(await text(process.stdin)) as LoadSpec;
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

const sorted = latencies.subarray(0, samples).sort();
const answer: LoadResult = {
  requests: result.requests.total,
  seconds: result.duration,
  requestsPerSecond: result.requests.total / result.duration,
  p50Ms: percentile(sorted, 0.5),
  p99Ms: percentile(sorted, 0.99),
  errors: result.errors + result.timeouts,
  non2xx: result.non2xx,
};
process.stdout.write(JSON.stringify(answer));
