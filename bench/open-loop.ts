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
 *
 * The requests go over sockets of its own, as autocannon's do: the same
 * bytes written for each, answers read with http-parser-js: about 23 µs of
 * the generator's CPU per request, where Node's HTTP client took about 37.
 * With that client, the hundred requests queued during a server's pause of
 * 20 ms held the generator for several milliseconds once the pause was
 * over, and the requests due then left late (bench/README.md has the
 * figures).
 */
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { HTTPParser } from 'http-parser-js';
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

/** The request as the bytes written for every send: HTTP/1.1 keep-alive, with its host and body length. */
function requestBytes(spec: LoadSpec, url: URL): Buffer {
  const body = Buffer.from(spec.body ?? '');
  const lines = [`${spec.method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of Object.entries(spec.headers)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${body.length}`, '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]);
}

/** One keep-alive connection: at most one request out on it at a time, as Node's agent sends them. */
interface Connection {
  readonly socket: Socket;
  /** When the request out on it was issued; undefined while it is free. */
  issued: number | undefined;
}

/**
 * Sends `spec`'s request `ratePerSecond` times a second for its duration,
 * over at most `spec.connections` keep-alive connections; a request due
 * while every connection has one out waits for the first to come free.
 * Requests due in the same tick leave together. `seconds` is how long the
 * schedule took, so the rate it reports is the rate offered. A request
 * whose connection closes before its answer is whole fails, and the
 * connection is opened again; requests still unanswered `drainLimitMs`
 * after the schedule ends are abandoned and count as errors.
 */
export async function runOpenLoop(
  spec: LoadSpec,
  ratePerSecond: number,
  drainLimitMs = DEFAULT_DRAIN_LIMIT_MS,
): Promise<CountedLoad> {
  const url = new URL(spec.url);
  const bytes = requestBytes(spec, url);
  const total = Math.floor(ratePerSecond * spec.durationSeconds);
  const latencies = new Float64Array(total);
  const sendLags = new Float64Array(total);
  // The issue times of requests waiting for a free connection, first in, first out.
  const waiting = new Float64Array(total);
  let waitingFrom = 0;
  let waitingTo = 0;
  const free: Connection[] = [];
  const open = new Set<Connection>();
  let ok = 0;
  let requests = 0;
  let errors = 0;
  let non2xx = 0;
  let sent = 0;
  let abandoned = false;
  const start = performance.now();
  const intervalMs = MILLIS_PER_SECOND / ratePerSecond;

  /** Requests sent and neither answered nor failed yet: out on a connection, or waiting for one. */
  const unsettled = (): number => sent - requests - errors;
  let allAnswered: () => void = () => {};
  const finished = new Promise<void>((resolve) => (allAnswered = resolve));
  const settled = (): void => {
    if (sent === total && unsettled() === 0) allAnswered();
  };

  const put = (connection: Connection, issued: number): void => {
    connection.issued = issued;
    connection.socket.write(bytes);
  };
  const connectionFree = (connection: Connection): void => {
    if (waitingFrom < waitingTo) put(connection, waiting[waitingFrom++]);
    else free.push(connection);
  };

  // Opened when a request needs one and fewer than `spec.connections` are open, as Node's agent opens them.
  const openConnection = (): Connection => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    socket.setNoDelay(true);
    const connection: Connection = { socket, issued: undefined };
    open.add(connection);
    const parser = new HTTPParser(HTTPParser.RESPONSE);
    let status = 0;
    let keepAlive = true;
    parser[HTTPParser.kOnHeadersComplete] = (info) => {
      status = info.statusCode;
      keepAlive = info.shouldKeepAlive;
    };
    parser[HTTPParser.kOnMessageComplete] = () => {
      const issued = connection.issued;
      if (issued === undefined) return;
      connection.issued = undefined;
      requests++;
      if (status >= 200 && status < 300) latencies[ok++] = performance.now() - issued;
      else non2xx++;
      settled();
      if (keepAlive) connectionFree(connection);
      else socket.end();
      sendDue();
    };
    socket.on('data', (chunk: Buffer) => {
      if (parser.execute(chunk) instanceof Error) socket.destroy();
    });
    // An answer cut off, a connection refused or reset: its request fails, and another connection takes its place.
    socket.on('error', () => {});
    socket.once('close', () => {
      open.delete(connection);
      const at = free.indexOf(connection);
      if (at >= 0) free.splice(at, 1);
      if (abandoned) return;
      if (connection.issued !== undefined) {
        connection.issued = undefined;
        errors++;
        settled();
      }
      if (waitingFrom < waitingTo) put(openConnection(), waiting[waitingFrom++]);
    });
    return connection;
  };

  /**
   * Sends the requests due by now. The timer asks every tick, and so does
   * each answer: answers that come in a burst (a server's pause over) are
   * read in one turn of the event loop, with no timer fired between them.
   */
  const sendDue = (): void => {
    const now = performance.now();
    for (; sent < total && start + sent * intervalMs <= now; sent++) {
      sendLags[sent] = performance.now() - (start + sent * intervalMs);
      send();
    }
  };
  const send = (): void => {
    const issued = performance.now();
    const connection = free.pop() ?? (open.size < spec.connections ? openConnection() : undefined);
    if (connection === undefined) waiting[waitingTo++] = issued;
    else put(connection, issued);
  };

  await new Promise<void>((resolve) => {
    const tick = (): void => {
      sendDue();
      if (sent < total) setTimeout(tick, TICK_MS);
      else resolve();
    };
    tick();
  });
  const seconds = (performance.now() - start) / MILLIS_PER_SECOND;
  if (unsettled() === 0) allAnswered();
  const drained = await Promise.race([
    finished.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), drainLimitMs).unref()),
  ]);
  abandoned = true;
  if (!drained) errors += unsettled();
  for (const connection of open) connection.socket.destroy();
  return { latenciesMs: latencies.subarray(0, ok), sendLagsMs: sendLags, requests, seconds, errors, non2xx };
}
