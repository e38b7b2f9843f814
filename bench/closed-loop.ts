/**
 * autocannon's closed loop: each connection sends its next request when an
 * answer comes back, as fast as the server goes. Latencies are taken from
 * each response at microsecond resolution (autocannon's own histogram keeps
 * whole milliseconds, too coarse for sub-millisecond servers).
 */
import autocannon from 'autocannon';
import type { LoadSpec } from './load.js';
import type { CountedLoad } from './open-loop.js';

const MAX_LATENCY_SAMPLES = 5_000_000;
/** How long a request may go unanswered before it counts as an error: autocannon's own default. */
const DEFAULT_TIMEOUT_SECONDS = 10;

/**
 * Drives `spec`'s request over `spec.connections` connections for its
 * duration. A request unanswered after `timeoutSeconds` counts as an error,
 * and its connection is opened again.
 */
export async function runClosedLoop(spec: LoadSpec, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS): Promise<CountedLoad> {
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
        timeout: timeoutSeconds,
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
    // autocannon's errors include its timeouts already.
    errors: result.errors,
    non2xx: result.non2xx,
  };
}
