import { once } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { ServerOptions as TlsServerOptions } from 'node:https';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { OtlpEncoding } from './otlp-codec.js';
import { OTLP_CONTENT_TYPE, decodeRequest, encodeEmptyResponse, encodeErrorStatus } from './otlp-codec.js';
import type {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  OtlpSignal,
  ReceivedLogRecord,
  ReceivedMetric,
  ReceivedSpan,
} from './otlp-model.js';
import { flattenLogs, flattenMetrics, flattenSpans } from './otlp-model.js';

/**
 * How the receiver answers an export:
 * - `'ok'`: 200 with an empty Export*ServiceResponse in the request's content type;
 * - a status code (503, 429, 400, ...): that status with a `google.rpc.Status` body;
 * - `'hang'`: never answers; {@link OtlpReceiver.close} drops such requests.
 */
export type OtlpRespondMode = 'ok' | 'hang' | number;

/** Options of {@link startOtlpReceiver}; `respond` and `delayMs` can be changed later on the receiver. */
export interface OtlpReceiverOptions {
  /** Default `'ok'`. */
  readonly respond?: OtlpRespondMode;
  /** Waits this long before answering (a slow collector). Default 0. */
  readonly delayMs?: number;
  /**
   * Serves HTTPS with these certificates (and, with `requestCert`, asks for
   * the client's), so the URLs are `https://`. Default: plain HTTP.
   */
  readonly tls?: Pick<TlsServerOptions, 'key' | 'cert' | 'ca' | 'requestCert'>;
}

/** What went over the wire in one request, and what the receiver made of it. */
export interface ReceivedRequestFacts {
  readonly method: string;
  /** The URL path, e.g. `/v1/logs`. */
  readonly path: string;
  /** The `content-type` header as sent ('' when absent). */
  readonly contentType: string;
  /** The `content-encoding` header as sent, lowercased; undefined when absent. */
  readonly contentEncoding: string | undefined;
  /** Every header, names lowercased, repeated headers joined with ', '. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as it arrived (still compressed). */
  readonly rawBody: Buffer;
  /** Its length: the compressed byte length. */
  readonly compressedBytes: number;
  /** The body after content decoding. */
  readonly body: Buffer;
  /** Its length: the decoded byte length. */
  readonly decodedBytes: number;
  /** The status the receiver answered (or decided on, while delayed); undefined while hanging. */
  readonly status: number | undefined;
  /** Why the request could not be decoded (then it was answered 4xx). */
  readonly error?: string;
  /** Whether the data counts as received: decoded and answered (or about to be answered) 2xx. */
  readonly accepted: boolean;
}

/** A request with its decoded payload, by signal; `signal` undefined for paths that are not OTLP. */
export type ReceivedRequest = ReceivedRequestFacts &
  (
    | { readonly signal: 'logs'; readonly payload?: ExportLogsServiceRequest }
    | { readonly signal: 'traces'; readonly payload?: ExportTraceServiceRequest }
    | { readonly signal: 'metrics'; readonly payload?: ExportMetricsServiceRequest }
    | { readonly signal: undefined; readonly payload?: undefined }
  );

/** The mutable record kept while a request is handled. */
type RequestRecord = { -readonly [K in keyof ReceivedRequestFacts]: ReceivedRequestFacts[K] } & {
  signal: OtlpSignal | undefined;
  payload?: ExportLogsServiceRequest | ExportTraceServiceRequest | ExportMetricsServiceRequest;
};

const SIGNAL_BY_PATH: Readonly<Record<string, OtlpSignal>> = {
  '/v1/logs': 'logs',
  '/v1/traces': 'traces',
  '/v1/metrics': 'metrics',
};

const PATH_BY_SIGNAL: Readonly<Record<OtlpSignal, string>> = {
  logs: '/v1/logs',
  traces: '/v1/traces',
  metrics: '/v1/metrics',
};

/** Thrown while reading a request to answer it with `status`. */
class RejectedRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A real OTLP/HTTP receiver on a loopback port, recording every request. Start one with {@link startOtlpReceiver}. */
export class OtlpReceiver {
  /** How the next requests are answered; may be changed at any time. */
  respond: OtlpRespondMode;
  /** Delay before each answer, in milliseconds; may be changed at any time. */
  delayMs: number;

  readonly #server: Server;
  readonly #records: RequestRecord[] = [];
  readonly #waiters = new Set<() => void>();
  /** Responses not yet sent (hanging or delayed): close() ends them. */
  readonly #pending = new Set<ServerResponse>();
  #closed: Promise<void> | undefined;
  readonly #scheme: 'http' | 'https';

  /** @internal use {@link startOtlpReceiver}. */
  constructor(server: Server, options: OtlpReceiverOptions) {
    this.#server = server;
    this.#scheme = options.tls === undefined ? 'http' : 'https';
    this.respond = options.respond ?? 'ok';
    this.delayMs = options.delayMs ?? 0;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void this.#handle(request, response);
    });
  }

  /** The base URL, e.g. `http://127.0.0.1:41234` (`https://` with the `tls` option). */
  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `${this.#scheme}://127.0.0.1:${port}`;
  }

  /** The full export URL of a signal, e.g. `http://127.0.0.1:41234/v1/logs`, for an exporter's `url`. */
  urlFor(signal: OtlpSignal): string {
    return `${this.url}${PATH_BY_SIGNAL[signal]}`;
  }

  /** Every request received since start or {@link reset}, in arrival order. */
  requests(): ReceivedRequest[] {
    return this.#records.map((record) => ({ ...record }) as ReceivedRequest);
  }

  /** The decoded payloads of accepted requests of one signal. */
  payloads(signal: 'logs'): ExportLogsServiceRequest[];
  payloads(signal: 'traces'): ExportTraceServiceRequest[];
  payloads(signal: 'metrics'): ExportMetricsServiceRequest[];
  payloads(
    signal: OtlpSignal,
  ): ExportLogsServiceRequest[] | ExportTraceServiceRequest[] | ExportMetricsServiceRequest[] {
    return this.#records
      .filter((record) => record.accepted && record.signal === signal && record.payload !== undefined)
      .map((record) => record.payload) as ExportLogsServiceRequest[];
  }

  /** Every accepted log record, flattened, in arrival order. */
  logRecords(): ReceivedLogRecord[] {
    return flattenLogs(this.payloads('logs'));
  }

  /** Every accepted span, flattened, in arrival order. */
  spans(): ReceivedSpan[] {
    return flattenSpans(this.payloads('traces'));
  }

  /** Every accepted metric (one entry per metric per export), flattened, in arrival order. */
  metrics(): ReceivedMetric[] {
    return flattenMetrics(this.payloads('metrics'));
  }

  /**
   * Resolves once `predicate(this)` returns true, checking now and after each request; rejects
   * after `timeoutMs` with what has arrived. A predicate that throws (e.g. a chai assertion)
   * counts as false, and its last error is in the rejection.
   */
  waitFor(predicate: (receiver: OtlpReceiver) => boolean, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      let lastError: unknown;
      const check = (): void => {
        try {
          if (!predicate(this)) return;
        } catch (error) {
          lastError = error;
          return;
        }
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        const why = lastError instanceof Error ? `; last predicate error: ${lastError.message}` : '';
        reject(new Error(`OTLP receiver: condition not met within ${timeoutMs} ms${why}\n${this.describe()}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** A readable summary of every request and what it carried, for failure messages. */
  describe(): string {
    if (this.#records.length === 0) return 'received no requests';
    const lines = this.#records.map((record, index) => `  #${index + 1} ${describeRecord(record)}`);
    return `received ${this.#records.length} request(s):\n${lines.join('\n')}`;
  }

  /** Forgets every request received so far. */
  reset(): void {
    this.#records.length = 0;
  }

  /** Stops the server, dropping hanging and delayed requests and idle keep-alive connections. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    const closed = once(this.#server, 'close');
    this.#server.close();
    for (const response of this.#pending) response.destroy();
    this.#pending.clear();
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const record = await readRecord(request);
      this.#records.push(record);
      const answer = this.#decide(record);
      record.status = answer === 'hang' ? undefined : answer;
      record.accepted = record.error === undefined && record.status !== undefined && isSuccess(record.status);
      this.#notify();
      if (answer === 'hang') {
        this.#hold(response);
        return;
      }
      if (this.delayMs > 0) await this.#delay(response, this.delayMs);
      if (!response.destroyed) send(response, record, answer);
    } catch {
      // The client went away while its body was being read.
      response.destroy();
    }
  }

  /** The status to answer with, or 'hang'. */
  #decide(record: RequestRecord): number | 'hang' {
    if (record.error !== undefined) return record.status ?? 400;
    if (this.respond === 'ok') return 200;
    return this.respond;
  }

  /** Keeps a response open until the client gives up or close() ends it. */
  #hold(response: ServerResponse): void {
    this.#pending.add(response);
    response.once('close', () => this.#pending.delete(response));
  }

  async #delay(response: ServerResponse, ms: number): Promise<void> {
    this.#hold(response);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      response.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.#pending.delete(response);
  }

  #notify(): void {
    for (const check of [...this.#waiters]) check();
  }
}

/**
 * Starts an OTLP/HTTP receiver on 127.0.0.1 and a free port. It accepts `POST /v1/logs`,
 * `/v1/traces` and `/v1/metrics` as OTLP/JSON (`application/json`) or OTLP/protobuf
 * (`application/x-protobuf`), gzip-compressed or not, and decodes every request with the OTLP
 * proto schema into one normalised shape whichever encoding arrived.
 */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  // A client certificate, when asked for, must be signed by `ca`: the handshake fails otherwise.
  const server =
    options.tls === undefined ? createServer() : createTlsServer({ ...options.tls, rejectUnauthorized: true });
  const receiver = new OtlpReceiver(server, options);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return receiver;
}

/** Reads and decodes one request; failures become the record's `error` and `status`. */
async function readRecord(request: IncomingMessage): Promise<RequestRecord> {
  const rawBody = await readBody(request);
  const path = new URL(request.url ?? '/', 'http://receiver').pathname;
  const contentEncoding = request.headers['content-encoding']?.toLowerCase();
  const record: RequestRecord = {
    method: request.method ?? '',
    path,
    signal: SIGNAL_BY_PATH[path],
    contentType: request.headers['content-type'] ?? '',
    contentEncoding,
    headers: flattenHeaders(request.headers),
    rawBody,
    compressedBytes: rawBody.length,
    body: rawBody,
    decodedBytes: rawBody.length,
    status: undefined,
    accepted: false,
  };
  try {
    record.body = decodeContent(rawBody, contentEncoding);
    record.decodedBytes = record.body.length;
    record.payload = decodePayload(record);
  } catch (error) {
    record.status = error instanceof RejectedRequest ? error.status : 400;
    record.error = error instanceof Error ? error.message : String(error);
  }
  return record;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function decodeContent(body: Buffer, contentEncoding: string | undefined): Buffer {
  if (contentEncoding === undefined || contentEncoding === 'identity') return body;
  if (contentEncoding !== 'gzip') throw new RejectedRequest(415, `unsupported content-encoding ${contentEncoding}`);
  try {
    return gunzipSync(body);
  } catch (error) {
    throw new RejectedRequest(400, `bad gzip body: ${(error as Error).message}`);
  }
}

function decodePayload(record: RequestRecord): RequestRecord['payload'] {
  if (record.signal === undefined) throw new RejectedRequest(404, `no OTLP signal at ${record.path}`);
  if (record.method !== 'POST') throw new RejectedRequest(405, `${record.method} is not POST`);
  const encoding = encodingOf(record.contentType);
  if (encoding === undefined) throw new RejectedRequest(415, `unsupported content-type ${record.contentType}`);
  return decodeRequest(record.signal, encoding, record.body);
}

/** The encoding a content type names, parameters (`; charset=utf-8`) ignored. */
function encodingOf(contentType: string): OtlpEncoding | undefined {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase();
  if (mediaType === OTLP_CONTENT_TYPE.json) return 'json';
  if (mediaType === OTLP_CONTENT_TYPE.protobuf) return 'protobuf';
  return undefined;
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function send(response: ServerResponse, record: RequestRecord, status: number): void {
  const encoding = encodingOf(record.contentType) ?? 'json';
  const body =
    isSuccess(status) && record.signal !== undefined
      ? encodeEmptyResponse(record.signal, encoding)
      : encodeErrorStatus(status, record.error ?? `receiver answers ${status}`, encoding);
  response.writeHead(status, { 'content-type': OTLP_CONTENT_TYPE[encoding], 'content-length': body.length });
  response.end(body);
}

function describeRecord(record: RequestRecord): string {
  const encoding = record.contentEncoding ?? 'identity';
  const answer = record.status === undefined ? 'hanging' : String(record.status);
  const head = `${record.method} ${record.path} ${record.contentType || '(no content-type)'} ${encoding} ${record.compressedBytes}B -> ${answer}`;
  if (record.error !== undefined) return `${head}: ${record.error}`;
  return `${head}: ${describePayload(record)}`;
}

function describePayload(record: RequestRecord): string {
  switch (record.signal) {
    case 'logs': {
      const bodies = flattenLogs([record.payload as ExportLogsServiceRequest]).map((log) => log.body);
      return `${bodies.length} log record(s) ${JSON.stringify(bodies)}`;
    }
    case 'traces': {
      const names = flattenSpans([record.payload as ExportTraceServiceRequest]).map((span) => span.name);
      return `${names.length} span(s) ${JSON.stringify(names)}`;
    }
    case 'metrics': {
      const names = flattenMetrics([record.payload as ExportMetricsServiceRequest]).map((metric) => metric.name);
      return `${names.length} metric(s) ${JSON.stringify(names)}`;
    }
    default:
      return 'not OTLP';
  }
}
