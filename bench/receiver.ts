import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeProtobufRequest, encodeEmptyResponse } from '../test/support/otlp-codec.js';
import type { OtlpSignal } from '../test/support/otlp-model.js';

/** What arrived for one signal. */
export interface SignalCounts {
  requests: number;
  /** Bytes on the wire, as sent (compressed when the exporter compressed). */
  wireBytes: number;
  /** Log records, counted only when the receiver decodes logs. */
  records: number;
}

export interface CountingReceiverOptions {
  /** `'ok'` answers 200; `'hang'` never answers (a collector that is down but still accepts connections). */
  readonly respond?: 'ok' | 'hang';
  /** Decodes each logs request (OTLP/protobuf) to count its records; costs CPU on the load core. */
  readonly countLogRecords?: boolean;
}

const SIGNALS: Readonly<Record<string, OtlpSignal>> = {
  '/v1/logs': 'logs',
  '/v1/traces': 'traces',
  '/v1/metrics': 'metrics',
};

/**
 * An OTLP/HTTP receiver for load: it counts requests, bytes and (optionally)
 * log records per signal and keeps nothing else, unlike the test suite's
 * receiver, which keeps every request for assertions. It runs in the
 * runner's process, on the load core.
 */
export class CountingReceiver {
  readonly #server = createServer();
  readonly #options: CountingReceiverOptions;
  readonly #counts = new Map<OtlpSignal, SignalCounts>();

  constructor(options: CountingReceiverOptions) {
    this.#options = options;
    this.#server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void this.#handle(request, response);
    });
  }

  /** The base URL, e.g. `http://127.0.0.1:41234`, for an exporter's endpoint. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** A copy of the counts of one signal so far. */
  counts(signal: OtlpSignal): SignalCounts {
    return { ...(this.#counts.get(signal) ?? { requests: 0, wireBytes: 0, records: 0 }) };
  }

  /** Wire bytes of every signal together. */
  totalWireBytes(): number {
    let total = 0;
    for (const counts of this.#counts.values()) total += counts.wireBytes;
    return total;
  }

  async listen(): Promise<void> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
  }

  /** Stops, dropping hanging requests and keep-alive connections. */
  async close(): Promise<void> {
    const closed = once(this.#server, 'close');
    this.#server.close();
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of request) chunks.push(chunk as Buffer);
    } catch {
      return; // The exporter gave up on this request.
    }
    const signal = SIGNALS[request.url ?? ''];
    if (signal === undefined) {
      response.writeHead(404).end();
      return;
    }
    const body = Buffer.concat(chunks);
    const counts = this.#counts.get(signal) ?? { requests: 0, wireBytes: 0, records: 0 };
    this.#counts.set(signal, counts);
    counts.requests++;
    counts.wireBytes += body.length;
    if (this.#options.respond === 'hang') return;
    if (signal === 'logs' && this.#options.countLogRecords === true) counts.records += countLogRecords(request, body);
    const answer = encodeEmptyResponse(signal, 'protobuf');
    response.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': answer.length });
    response.end(answer);
  }
}

function countLogRecords(request: IncomingMessage, body: Buffer): number {
  const decoded = request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
  let records = 0;
  for (const resourceLogs of decodeProtobufRequest('logs', decoded).resourceLogs) {
    for (const scopeLogs of resourceLogs.scopeLogs) records += scopeLogs.logRecords.length;
  }
  return records;
}

/** Starts a counting receiver on a free loopback port. */
export async function startCountingReceiver(options: CountingReceiverOptions = {}): Promise<CountingReceiver> {
  const receiver = new CountingReceiver(options);
  await receiver.listen();
  return receiver;
}
