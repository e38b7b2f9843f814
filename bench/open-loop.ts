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
 * as the server's. That lag is reported on its own instead, so a run whose
 * generator fell behind shows it. A request waiting for a free connection
 * is issued already, so that wait counts.
 */
import type { ClientRequest } from 'node:http';
import { Agent, request } from 'node:http';
import type { LoadResult, LoadSpec } from './load.js';

/** How often the schedule is checked: Node's timers fire at millisecond granularity. */
const TICK_MS = 1;
/** How long requests still in flight when the schedule ends may take before they are abandoned as errors. */
const DEFAULT_DRAIN_LIMIT_MS = 10_000;
const MILLIS_PER_SECOND = 1e3;

/**
 * What a load run counted, with the latency of each 2xx answer in
 * milliseconds (in the order they came back) in place of their percentiles,
 * and for an open loop how late each request left against its schedule.
 * An open-loop run's `errors` include requests still unanswered when it ended.
 */
export type CountedLoad = Omit<LoadResult, 'p50Ms' | 'p99Ms' | 'requestsPerSecond' | 'sendLagP99Ms'> & {
  readonly latenciesMs: Float64Array;
  readonly sendLagsMs?: Float64Array;
};

/**
 * Sends `spec`'s request `ratePerSecond` times a second for its duration,
 * over at most `spec.connections` keep-alive connections. Requests due in
 * the same tick leave together. `seconds` is how long the schedule took, so
 * the rate it reports is the rate offered. Requests still unanswered
 * `drainLimitMs` after the schedule ends are abandoned and count as errors.
 */
export async function runOpenLoop(
  spec: LoadSpec,
  ratePerSecond: number,
  drainLimitMs = DEFAULT_DRAIN_LIMIT_MS,
): Promise<CountedLoad> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const url = new URL(spec.url);
  const total = Math.floor(ratePerSecond * spec.durationSeconds);
  const latencies = new Float64Array(total);
  const sendLags = new Float64Array(total);
  const inFlight = new Set<ClientRequest>();
  let ok = 0;
  let requests = 0;
  let errors = 0;
  let non2xx = 0;
  let sent = 0;
  const start = performance.now();
  const intervalMs = MILLIS_PER_SECOND / ratePerSecond;

  let allAnswered: () => void = () => {};
  const finished = new Promise<void>((resolve) => (allAnswered = resolve));

  const send = (): void => {
    const issued = performance.now();
    const outgoing = request({
      agent,
      host: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      method: spec.method,
      headers: spec.headers,
    });
    // Each request ends once: answered in full, cut off, or failed before an answer.
    const settle = (outcome: 'answered' | 'failed', status = 0): void => {
      if (!inFlight.delete(outgoing)) return;
      if (outcome === 'failed') errors++;
      else {
        requests++;
        if (status >= 200 && status < 300) latencies[ok++] = performance.now() - issued;
        else non2xx++;
      }
      if (inFlight.size === 0 && sent === total) allAnswered();
    };
    outgoing.once('response', (response) => {
      response.resume();
      // 'close' comes whether the body arrived whole or the connection dropped in it; 'end' only in the first case.
      response.once('close', () => settle(response.complete ? 'answered' : 'failed', response.statusCode));
    });
    outgoing.on('error', () => settle('failed'));
    inFlight.add(outgoing);
    outgoing.end(spec.body);
  };

  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      for (; sent < total && start + sent * intervalMs <= now; sent++) {
        sendLags[sent] = performance.now() - (start + sent * intervalMs);
        send();
      }
      if (sent < total) setTimeout(tick, TICK_MS);
      else resolve();
    };
    tick();
  });
  const seconds = (performance.now() - start) / MILLIS_PER_SECOND;
  if (inFlight.size === 0) allAnswered();
  const drained = await Promise.race([
    finished.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), drainLimitMs).unref()),
  ]);
  if (!drained) {
    errors += inFlight.size;
    // Destroying the agent alone would leave queued requests to open new connections.
    for (const outgoing of inFlight) outgoing.destroy();
    inFlight.clear();
  }
  agent.destroy();
  return { latenciesMs: latencies.subarray(0, ok), sendLagsMs: sendLags, requests, seconds, errors, non2xx };
}
