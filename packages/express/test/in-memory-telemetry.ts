import { once } from 'node:events';
import type { Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Attributes } from '@opentelemetry/api';
import { metrics, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import type { LogRecordProcessor, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { DataPoint, Histogram, MetricData } from '@opentelemetry/sdk-metrics';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Express, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { captureErrors } from '../src/annotations.js';
import { captureRawBody } from '../src/payload/request-body.js';
import { ATTR_RECORD_TYPE } from '../src/semconv.js';
import type { RecordType } from '../src/semconv.js';
import type { InferenceTelemetryOptions } from '../src/types.js';
import { until } from './export-helpers.js';

/** A reader the test collects from on demand (cumulative, the SDK's default). */
class CollectingReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** What a test reads: everything the global providers received. */
export interface InMemoryTelemetry {
  spans(): ReadableSpan[];
  /** Log records, optionally only those of one `inference.record.type`. */
  records(type?: RecordType): ReadableLogRecord[];
  /** Waits until `count` spans were exported (they and their records are emitted when the answer finishes). */
  waitForSpans(count?: number): Promise<ReadableSpan[]>;
  /** Waits until `count` records (of `type`, if given) were exported. */
  waitForRecords(count: number, type?: RecordType): Promise<ReadableLogRecord[]>;
  /** Waits for the one record of `type`; fails if there are more (a call recorded twice, say). */
  waitForRecord(type: RecordType): Promise<ReadableLogRecord>;
  /** The named metric as collected now, or undefined when nothing was recorded into it. */
  metric(name: string): Promise<MetricData | undefined>;
}

export interface InMemoryTelemetryOptions {
  /** More log processors, after the in-memory one (a faulty one, say). */
  logProcessors?: LogRecordProcessor[];
  /** More span processors, after the in-memory one. */
  spanProcessors?: SpanProcessor[];
  /** The tracer provider's sampler, in place of the SDK's default. */
  sampler?: Sampler;
}

/**
 * Registers global tracer, logger and meter providers built on the SDK's
 * in-memory exporters for the enclosing `describe`, resets the exporters
 * after each test and removes the providers after the last one.
 */
export function useInMemoryTelemetry(options: InMemoryTelemetryOptions = {}): InMemoryTelemetry {
  const spanExporter = new InMemorySpanExporter();
  const logExporter = new InMemoryLogRecordExporter();
  let tracerProvider: TracerProvider;
  let loggerProvider: LoggerProvider;
  let meterProvider: MeterProvider;
  let reader: CollectingReader;

  before(() => {
    tracerProvider = new TracerProvider({
      sampler: options.sampler,
      spanProcessors: [new SimpleSpanProcessor({ exporter: spanExporter }), ...(options.spanProcessors ?? [])],
    });
    loggerProvider = new LoggerProvider({
      processors: [new SimpleLogRecordProcessor({ exporter: logExporter }), ...(options.logProcessors ?? [])],
    });
    reader = new CollectingReader();
    meterProvider = new MeterProvider({ readers: [reader] });
    trace.setGlobalTracerProvider(tracerProvider);
    logs.setGlobalLoggerProvider(loggerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  });
  afterEach(() => {
    spanExporter.reset();
    logExporter.reset();
  });
  after(async () => {
    trace.disable();
    logs.disable();
    metrics.disable();
    await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown(), meterProvider.shutdown()]);
  });

  const records = (type?: RecordType): ReadableLogRecord[] =>
    logExporter
      .getFinishedLogRecords()
      .filter((record) => type === undefined || record.attributes[ATTR_RECORD_TYPE] === type);
  return {
    spans: () => spanExporter.getFinishedSpans(),
    records,
    async waitForSpans(count = 1) {
      await until(() => spanExporter.getFinishedSpans().length >= count, `${count} span(s)`);
      return spanExporter.getFinishedSpans();
    },
    async waitForRecords(count, type) {
      await until(() => records(type).length >= count, `${count} ${type ?? ''} record(s)`);
      return records(type);
    },
    async waitForRecord(type) {
      await until(() => records(type).length >= 1, `a ${type} record`);
      const found = records(type);
      if (found.length !== 1) throw new Error(`expected one ${type} record, got ${found.length}`);
      return found[0];
    },
    async metric(name) {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
    },
  };
}

/**
 * Registers only a global logger provider, on an in-memory exporter, for the
 * enclosing `describe`: an application that registered no tracer provider,
 * whose calls have no trace unless their callers sent one.
 */
export function useGlobalLoggerOnly(): InMemoryLogRecordExporter {
  const exporter = new InMemoryLogRecordExporter();
  let provider: LoggerProvider;
  before(() => {
    provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    logs.setGlobalLoggerProvider(provider);
  });
  after(async () => {
    logs.disable();
    await provider.shutdown();
  });
  return exporter;
}

/** The data points of a metric whose attributes include `attributes`. */
export function pointsOf<T = number | Histogram>(
  metric: MetricData | undefined,
  attributes: Attributes = {},
): DataPoint<T>[] {
  const points = (metric?.dataPoints ?? []) as DataPoint<T>[];
  return points.filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value));
}

/** Options that observe through the global providers and keep the file sink out of the repository. */
export function globalOptions(options: InferenceTelemetryOptions = {}): InferenceTelemetryOptions {
  return { providers: 'global', fileSink: { enabled: false }, ...options };
}

/**
 * Replaces `process.emitWarning` (where the middleware reports its own
 * faults) with a recorder for the enclosing `describe`, so nothing is printed.
 */
export function useRecordedWarnings(): { messages: string[] } {
  const recorded = { messages: [] as string[] };
  let original: PropertyDescriptor | undefined;
  beforeEach(() => {
    original = Object.getOwnPropertyDescriptor(process, 'emitWarning');
    recorded.messages = [];
    process.emitWarning = (warning: string | Error) => {
      recorded.messages.push(typeof warning === 'string' ? warning : warning.message);
    };
  });
  afterEach(() => {
    if (original !== undefined) Object.defineProperty(process, 'emitWarning', original);
  });
  return recorded;
}

/** Starts apps on 127.0.0.1 and closes them after each test. */
export function useServers(): { start(app: { listen(port: number, host: string): Server }): Promise<string> } {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((server) => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(resolve));
      }),
    );
  });
  return {
    async start(app) {
      const server = app.listen(0, '127.0.0.1');
      servers.push(server);
      await once(server, 'listening');
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** POSTs `body` (sent as these exact bytes) as JSON. */
export async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/**
 * Posts a JSON `body` to `path` at `url` in two chunks, so no Content-Length
 * says its size, and resolves once the answer has been read.
 */
export function postChunked(url: URL, path: string, body: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const client = httpRequest(url, { method: 'POST', path }, (res) => {
      res.resume().on('end', resolve);
    });
    client.on('error', reject).setHeader('content-type', 'application/json');
    client.write(body.slice(0, 10));
    client.end(body.slice(10));
  });
}

export async function get(url: string): Promise<Answer> {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A V1 body with deliberate spacing, so a re-serialised body would not equal it. */
export const IRIS_BODY = '{ "instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]] }';
/** The answer the default V1 handler gives to {@link IRIS_BODY}. */
export const IRIS_ANSWER = '{"predictions":[1,1]}';

export type PredictHandler = (req: Request, res: Response, model: string, verb: string) => unknown;

export interface KserveAppOptions {
  /** Replaces the V1 handler (`/v1/models/<model>:<verb>`). */
  predict?: PredictHandler;
  /** Mounts `captureErrors()` before the error handler. @default true */
  captureErrors?: boolean;
}

function defaultPredict(req: Request, res: Response, _model: string, verb: string): void {
  const instances = (req.body as { instances?: unknown[] }).instances ?? [];
  if (verb === 'explain') res.json({ explanations: instances.map(() => [0.5]) });
  else res.json({ predictions: instances.map(() => 1) });
}

/**
 * An Express 5 app that answers like KServe: V1 `:predict`/`:explain`, V2
 * `infer` with and without a version, OpenAI embeddings, plus routes that
 * are not predict calls. A handler's error is answered `{"error": message}`
 * with the error's `status`, else 500.
 */
export function kserveApp(telemetry: RequestHandler, options: KserveAppOptions = {}): Express {
  const app = express();
  app.use(telemetry);
  app.use(express.json({ verify: captureRawBody }));
  app.get('/healthz', (_req, res) => void res.json({ status: 'alive' }));
  app.get('/v1/models', (_req, res) => void res.json({ models: ['iris'] }));
  app.post('/v1/models/:target', async (req, res) => {
    const target = req.params['target'];
    const colon = target.lastIndexOf(':');
    if (colon < 0) {
      res.status(404).json({ error: `unknown route ${req.path}` });
      return;
    }
    await (options.predict ?? defaultPredict)(req, res, target.slice(0, colon), target.slice(colon + 1));
  });
  const infer: RequestHandler = (req, res) => {
    const inputs = (req.body as { inputs: { shape: number[] }[] }).inputs;
    res.json({
      model_name: req.params['model'],
      outputs: [{ name: 'label', datatype: 'INT64', shape: [inputs[0].shape[0]], data: [1, 2, 0] }],
    });
  };
  app.post('/v2/models/:model/infer', infer);
  app.post('/v2/models/:model/versions/:version/infer', infer);
  app.post('/openai/v1/embeddings', (req, res) => {
    const { input, model } = req.body as { input: string[]; model: string };
    res.json({
      object: 'list',
      model,
      data: input.map((_, index) => ({ object: 'embedding', index, embedding: [0.1] })),
    });
  });
  if (options.captureErrors !== false) app.use(captureErrors());
  app.use((error: Error & { status?: number }, _req: Request, res: Response, _next: (error?: unknown) => void) => {
    res.status(error.status ?? 500).json({ error: error.message });
  });
  return app;
}

/** `00-<trace>-<span>-<flags>`. */
export function traceparent(traceId: string, spanId: string, sampled = true): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}
