/**
 * An open-loop load: requests leave on a fixed schedule, `rate` per second,
 * whether or not earlier ones have been answered. A closed loop
 * (autocannon's) sends the next request only when one comes back, so a
 * server that stalls is sent less during the stall and it shows in one
 * request per connection, not in every request that arrives meanwhile; and
 * at saturation its latency is connections over throughput, which says more
 * about throughput than about latency.
 *
 * Each latency runs from the moment the request is issued, not from the
 * moment the schedule meant (wrk2's way): Node's timers fire at millisecond
 * granularity, and the lag of the generator's own timer would be counted
 * as the server's. A request waiting for a free connection is issued
 * already, so that wait counts.
 */
import { Agent, request } from 'node:http';
import type { LoadResult, LoadSpec } from './load.js';

/** How often the schedule is checked: Node's timers fire at millisecond granularity. */
const TICK_MS = 1;
/** How long requests still in flight when the schedule ends may take before they count as errors. */
const DRAIN_LIMIT_MS = 10_000;
const MILLIS_PER_SECOND = 1e3;

/**
 * What a load run counted, with the latency of each 2xx answer in
 * milliseconds (in the order they came back) in place of their percentiles.
 * An open-loop run's `errors` include requests still unanswered when it ended.
 */
export type CountedLoad = Omit<LoadResult, 'p50Ms' | 'p99Ms' | 'requestsPerSecond'> & {
  readonly latenciesMs: Float64Array;
};

/**
 * Sends `spec`'s request `ratePerSecond` times a second for its duration,
 * over at most `spec.connections` keep-alive connections. Requests due in
 * the same tick leave together. `seconds` is how long the
 * schedule took, so the rate it reports is the rate offered.
 */
export async function runOpenLoop(spec: LoadSpec, ratePerSecond: number): Promise<CountedLoad> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const url = new URL(spec.url);
  const total = Math.floor(ratePerSecond * spec.durationSeconds);
  const latencies = new Float64Array(total);
  let ok = 0;
  let requests = 0;
  let errors = 0;
  let non2xx = 0;
  let pending = 0;
  let sent = 0;
  const start = performance.now();
  const intervalMs = MILLIS_PER_SECOND / ratePerSecond;

  let allAnswered: () => void = () => {};
  const finished = new Promise<void>((resolve) => (allAnswered = resolve));
  const settle = (): void => {
    pending--;
    if (pending === 0 && sent === total) allAnswered();
  };

  const send = (): void => {
    pending++;
    const issued = performance.now();
    const outgoing = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: spec.method,
        headers: spec.headers,
      },
      (response) => {
        response.resume();
        response.once('end', () => {
          requests++;
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) latencies[ok++] = performance.now() - issued;
          else non2xx++;
          settle();
        });
      },
    );
    outgoing.once('error', () => {
      errors++;
      settle();
    });
    outgoing.end(spec.body);
  };

  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      for (; sent < total && start + sent * intervalMs <= now; sent++) send();
      if (sent < total) setTimeout(tick, TICK_MS);
      else resolve();
    };
    tick();
  });
  const seconds = (performance.now() - start) / MILLIS_PER_SECOND;
  if (pending === 0) allAnswered();
  const timedOut = await Promise.race([
    finished.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), DRAIN_LIMIT_MS).unref()),
  ]);
  if (timedOut) errors += pending;
  agent.destroy();
  return {
    latenciesMs: latencies.subarray(0, ok),
    requests,
    seconds,
    errors,
    non2xx,
  };
}
