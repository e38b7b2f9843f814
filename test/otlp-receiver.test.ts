import { gunzipSync } from 'node:zlib';
import type { SpanContext } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, ValueType, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { MeterProvider, MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import type { OtlpEncoding } from './support/otlp-codec.js';
import type { OtlpSignal } from './support/otlp-model.js';
import { OTLP_SPAN_KIND, OTLP_TEMPORALITY } from './support/otlp-model.js';
import type { OtlpReceiver, ReceivedRequest } from './support/otlp-receiver.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';

/** Exporter options common to the six OTLP/HTTP exporters (their `compression` is an enum of 'gzip' | 'none'). */
type ExporterOptions = NonNullable<ConstructorParameters<typeof JsonLogExporter>[0]>;
type Compression = NonNullable<ExporterOptions['compression']>;

const GZIP = 'gzip' as Compression;
const NONE = 'none' as Compression;

/** An encoding with its exporters and the content type they send. */
interface Transport {
  readonly encoding: OtlpEncoding;
  readonly contentType: string;
  readonly logs: (options: ExporterOptions) => LogRecordExporter;
  readonly traces: (options: ExporterOptions) => SpanExporter;
  readonly metrics: (options: ExporterOptions) => PushMetricExporter;
}

const TRANSPORTS: readonly Transport[] = [
  {
    encoding: 'json',
    contentType: 'application/json',
    logs: (options: ExporterOptions): LogRecordExporter => new JsonLogExporter(options),
    traces: (options: ExporterOptions): SpanExporter => new JsonTraceExporter(options),
    metrics: (options: ExporterOptions): PushMetricExporter => new JsonMetricExporter(options),
  },
  {
    encoding: 'protobuf',
    contentType: 'application/x-protobuf',
    logs: (options: ExporterOptions): LogRecordExporter => new ProtoLogExporter(options),
    traces: (options: ExporterOptions): SpanExporter => new ProtoTraceExporter(options),
    metrics: (options: ExporterOptions): PushMetricExporter => new ProtoMetricExporter(options),
  },
];

const RESOURCE = resourceFromAttributes({ 'service.name': 'otlp-receiver-test', 'service.instance.id': 'i-1' });
const SCOPE = { name: 'otlp-receiver-test', version: '1.2.3' };

/** A sampled remote parent: logs emitted in its context carry its ids. */
const SPAN_CONTEXT: SpanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
};

let receiver: OtlpReceiver;

/** Exports once, straight through the exporter, and reports what it said. */
function exportOnce<T>(
  exporter: { export(items: T[], done: (result: ExportResult) => void): void },
  items: T[],
): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}

function options(signal: OtlpSignal, compression: Compression, extra: Partial<ExporterOptions> = {}): ExporterOptions {
  return { url: receiver.urlFor(signal), compression, timeoutMillis: 5000, ...extra };
}

/** Two log records through a real LoggerProvider: one in a span context, one structured and outside any span. */
async function emitLogs(exporter: LogRecordExporter): Promise<void> {
  const provider = new LoggerProvider({ resource: RESOURCE, processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger(SCOPE.name, SCOPE.version);
  logger.emit({
    body: 'inference done',
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    attributes: { 'model.name': 'iris', 'batch.size': 3, delta: -5, score: 0.75, cached: false, tags: ['a', 'b'] },
    context: trace.setSpanContext(ROOT_CONTEXT, SPAN_CONTEXT),
  });
  logger.emit({
    body: { model: 'iris', scores: [0.1, 0.9], ok: true },
    severityNumber: SeverityNumber.WARN,
    eventName: 'inference.result',
  });
  await provider.forceFlush();
  await provider.shutdown();
}

/** A server span and an erroring child with an event, through a real BasicTracerProvider. */
async function emitSpans(exporter: SpanExporter): Promise<{ traceId: string; parentSpanId: string }> {
  const provider = new BasicTracerProvider({ resource: RESOURCE, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer(SCOPE.name, SCOPE.version);
  const parent = tracer.startSpan('POST /v2/models/iris/infer', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'POST' },
  });
  const child = tracer.startSpan(
    'onnx.run',
    { kind: SpanKind.CLIENT, attributes: { 'batch.size': 4, 'model.name': 'iris' } },
    trace.setSpan(ROOT_CONTEXT, parent),
  );
  child.addEvent('retry', { attempt: 2 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'model failed' });
  child.end();
  parent.end();
  await provider.forceFlush();
  await provider.shutdown();
  const { traceId, spanId } = parent.spanContext();
  return { traceId, parentSpanId: spanId };
}

/** A counter, a histogram and a gauge through a real MeterProvider, exported by forceFlush. */
async function emitMetrics(exporter: PushMetricExporter): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ resource: RESOURCE, readers: [reader] });
  const meter = provider.getMeter(SCOPE.name, SCOPE.version);
  const requests = meter.createCounter('inference.requests', {
    unit: '{request}',
    description: 'Inference requests',
    valueType: ValueType.INT,
  });
  requests.add(3, { model: 'iris' });
  requests.add(2, { model: 'iris' });
  requests.add(1, { model: 'mnist' });
  const duration = meter.createHistogram('inference.duration', { unit: 'ms' });
  duration.record(12.5, { model: 'iris' });
  duration.record(40, { model: 'iris' });
  meter.createGauge('queue.depth', { valueType: ValueType.INT }).record(7);
  await provider.forceFlush();
  await provider.shutdown();
}

/** Asserts what every request of a run says about the wire. */
function expectWire(
  requests: readonly ReceivedRequest[],
  signal: OtlpSignal,
  contentType: string,
  compression: Compression,
): void {
  expect(requests).to.not.be.empty;
  for (const request of requests) {
    expect(request.error, request.error).to.equal(undefined);
    expect(request.path).to.equal(`/v1/${signal}`);
    expect(request.signal).to.equal(signal);
    expect(request.contentType).to.equal(contentType);
    expect(request.headers['content-type']).to.equal(contentType);
    expect(request.headers['user-agent']).to.match(/OTel-OTLP-Exporter-JavaScript\//);
    expect(request.status).to.equal(200);
    expect(request.accepted).to.equal(true);
    expect(request.compressedBytes).to.equal(request.rawBody.length);
    expect(request.decodedBytes).to.equal(request.body.length);
    if (compression === GZIP) {
      expect(request.contentEncoding).to.equal('gzip');
      expect([...request.rawBody.subarray(0, 2)]).to.deep.equal([0x1f, 0x8b]);
      expect(gunzipSync(request.rawBody).equals(request.body)).to.equal(true);
    } else {
      expect(request.contentEncoding).to.equal(undefined);
      expect(request.rawBody.equals(request.body)).to.equal(true);
    }
  }
}

/** Keeps what it is given; unlike the SDK's in-memory exporters, shutdown does not clear it. */
class ArrayExporter<T> {
  readonly items: T[] = [];
  export(items: T[], done: (result: ExportResult) => void): void {
    this.items.push(...items);
    done({ code: ExportResultCode.SUCCESS });
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function finishedLogRecords(): Promise<ReadableLogRecord[]> {
  const memory = new ArrayExporter<ReadableLogRecord>();
  await emitLogs(memory);
  return memory.items;
}

async function finishedSpans(): Promise<ReadableSpan[]> {
  const memory = new ArrayExporter<ReadableSpan>();
  await emitSpans(memory);
  return memory.items;
}

/** A reader that only collects on demand. */
class CollectingReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function collectedMetrics(): Promise<ResourceMetrics> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ resource: RESOURCE, readers: [reader] });
  const meter = provider.getMeter(SCOPE.name, SCOPE.version);
  meter.createCounter('inference.requests', { valueType: ValueType.INT }).add(5, { model: 'iris' });
  meter.createHistogram('inference.duration').record(12.5);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

describe('OTLP receiver', () => {
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });

  afterEach(async () => {
    await receiver.close();
  });

  for (const transport of TRANSPORTS) {
    for (const compression of [GZIP, NONE]) {
      const label = `${transport.encoding} exporter, compression ${compression}`;

      it(`decodes logs from the ${label}`, async () => {
        const exporter = transport.logs(options('logs', compression, { headers: { 'X-Tenant': 'acme' } }));
        await emitLogs(exporter);
        await receiver.waitFor((r) => r.logRecords().length === 2);

        // Each record travels in its own request, so they may arrive in either order.
        const records = receiver.logRecords();
        const inSpan = records.find((record) => record.body === 'inference done');
        const structured = records.find((record) => record !== inSpan);
        expect(inSpan).to.deep.include({
          resource: { 'service.name': 'otlp-receiver-test', 'service.instance.id': 'i-1' },
          scope: { name: SCOPE.name, version: SCOPE.version, attributes: {} },
          body: 'inference done',
          severityNumber: SeverityNumber.INFO,
          severityText: 'INFO',
          traceId: SPAN_CONTEXT.traceId,
          spanId: SPAN_CONTEXT.spanId,
          flags: TraceFlags.SAMPLED,
        });
        expect(inSpan?.attributes).to.deep.equal({
          'model.name': 'iris',
          'batch.size': 3,
          delta: -5,
          score: 0.75,
          cached: false,
          tags: ['a', 'b'],
        });
        expect(inSpan?.timeUnixNano).to.match(/^\d{19}$/);
        expect(structured).to.deep.include({
          body: { model: 'iris', scores: [0.1, 0.9], ok: true },
          severityNumber: SeverityNumber.WARN,
          eventName: 'inference.result',
          traceId: '',
          spanId: '',
        });

        const requests = receiver.requests();
        expectWire(requests, 'logs', transport.contentType, compression);
        expect(requests[0]?.headers['x-tenant']).to.equal('acme');
      });

      it(`decodes spans from the ${label}`, async () => {
        const { traceId, parentSpanId } = await emitSpans(transport.traces(options('traces', compression)));
        await receiver.waitFor((r) => r.spans().length === 2);

        const spans = receiver.spans();
        const parent = spans.find((span) => span.kind === OTLP_SPAN_KIND.SERVER);
        const child = spans.find((span) => span.name === 'onnx.run');
        expect(parent).to.deep.include({
          name: 'POST /v2/models/iris/infer',
          traceId,
          spanId: parentSpanId,
          parentSpanId: '',
          status: { code: SpanStatusCode.UNSET, message: '' },
          attributes: { 'http.request.method': 'POST' },
          resource: { 'service.name': 'otlp-receiver-test', 'service.instance.id': 'i-1' },
        });
        expect(child).to.deep.include({
          kind: OTLP_SPAN_KIND.CLIENT,
          traceId,
          parentSpanId,
          status: { code: SpanStatusCode.ERROR, message: 'model failed' },
          attributes: { 'batch.size': 4, 'model.name': 'iris' },
        });
        expect(child?.spanId)
          .to.match(/^[0-9a-f]{16}$/)
          .and.not.equal(parentSpanId);
        expect(child?.events.map((event) => [event.name, event.attributes])).to.deep.equal([['retry', { attempt: 2 }]]);
        expectWire(receiver.requests(), 'traces', transport.contentType, compression);
      });

      it(`decodes metrics from the ${label}`, async () => {
        await emitMetrics(transport.metrics(options('metrics', compression)));
        const names = ['inference.requests', 'inference.duration', 'queue.depth'];
        await receiver.waitFor((r) => names.every((name) => r.metrics().some((metric) => metric.name === name)));

        const metric = (name: string) => receiver.metrics().find((candidate) => candidate.name === name);
        const counter = metric('inference.requests');
        expect(counter).to.deep.include({
          type: 'sum',
          unit: '{request}',
          description: 'Inference requests',
          isMonotonic: true,
          aggregationTemporality: OTLP_TEMPORALITY.CUMULATIVE,
          resource: { 'service.name': 'otlp-receiver-test', 'service.instance.id': 'i-1' },
        });
        expect(counter?.dataPoints.map((point) => [point.attributes, point.value])).to.have.deep.members([
          [{ model: 'iris' }, 5],
          [{ model: 'mnist' }, 1],
        ]);

        const histogram = metric('inference.duration');
        expect(histogram).to.deep.include({ type: 'histogram', unit: 'ms' });
        const [point] = histogram?.dataPoints ?? [];
        expect(point).to.deep.include({ attributes: { model: 'iris' }, count: 2, sum: 52.5, min: 12.5, max: 40 });
        expect(point?.bucketCounts?.reduce((a, b) => a + b, 0)).to.equal(2);
        expect(point?.bucketCounts).to.have.length((point?.explicitBounds?.length ?? 0) + 1);

        const gauge = metric('queue.depth');
        expect(gauge?.type).to.equal('gauge');
        expect(gauge?.dataPoints.map((p) => p.value)).to.deep.equal([7]);
        expectWire(receiver.requests(), 'metrics', transport.contentType, compression);
      });
    }
  }

  describe('normalisation', () => {
    /** Sends the same items through both exporters and returns the two decoded payloads. */
    async function bothPayloads<T>(
      signal: OtlpSignal,
      items: T[],
      exporterFor: (
        transport: Transport,
        options: ExporterOptions,
      ) => {
        export(items: T[], done: (result: ExportResult) => void): void;
        shutdown(): Promise<void>;
      },
    ): Promise<unknown[]> {
      expect(items).to.not.be.empty;
      for (const transport of TRANSPORTS) {
        const exporter = exporterFor(transport, options(signal, NONE));
        expect((await exportOnce(exporter, items)).code).to.equal(ExportResultCode.SUCCESS);
        await exporter.shutdown();
      }
      const requests = receiver.requests();
      expect(requests.map((request) => request.contentType)).to.deep.equal(TRANSPORTS.map((t) => t.contentType));
      return requests.map((request) => request.payload);
    }

    it('decodes the same logs to the same object from JSON and protobuf', async () => {
      const [json, proto] = await bothPayloads('logs', await finishedLogRecords(), (t, o) => t.logs(o));
      expect(json).to.deep.equal(proto);
    });

    it('decodes the same spans to the same object from JSON and protobuf', async () => {
      const [json, proto] = await bothPayloads('traces', await finishedSpans(), (t, o) => t.traces(o));
      expect(json).to.deep.equal(proto);
    });

    it('decodes the same metrics to the same object from JSON and protobuf', async () => {
      const [json, proto] = await bothPayloads('metrics', [await collectedMetrics()], (t, o) => {
        const exporter = t.metrics(o);
        return {
          export: (items: ResourceMetrics[], done: (result: ExportResult) => void) => exporter.export(items[0], done),
          shutdown: () => exporter.shutdown(),
        };
      });
      expect(json).to.deep.equal(proto);
    });

    it('shows the JSON wire format: hex ids, int64 timestamps as strings, integer attributes as numbers', async () => {
      const exporter = new JsonLogExporter(options('logs', NONE));
      await exportOnce(exporter, (await finishedLogRecords()).slice(0, 1));
      await exporter.shutdown();
      const wire = JSON.parse(receiver.requests()[0].body.toString('utf8'));
      const record = wire.resourceLogs[0].scopeLogs[0].logRecords[0];
      expect(record.traceId).to.equal(SPAN_CONTEXT.traceId);
      expect(record.spanId).to.equal(SPAN_CONTEXT.spanId);
      expect(record.timeUnixNano)
        .to.be.a('string')
        .and.match(/^\d{19}$/);
      const batchSize = record.attributes.find((kv: { key: string }) => kv.key === 'batch.size');
      expect(batchSize.value).to.deep.equal({ intValue: 3 });
      // Normalised, the same int64 is a decimal string as protobuf would give it.
      const normalised = receiver.payloads('logs')[0].resourceLogs[0].scopeLogs[0].logRecords[0];
      expect(normalised.attributes.find((kv) => kv.key === 'batch.size')?.value).to.deep.equal({ intValue: '3' });
    });
  });

  describe('failure modes', () => {
    it('answers a status code so the exporter reports failure, and recovers when set back to ok', async () => {
      receiver.respond = 503;
      const records = await finishedLogRecords();
      // 503 is retryable: the first back-off (about 1 s) exceeds this timeout, so the exporter gives up after one try.
      const exporter = new ProtoLogExporter(options('logs', GZIP, { timeoutMillis: 500 }));
      const failed = await exportOnce(exporter, records);
      expect(failed.code).to.equal(ExportResultCode.FAILED);
      expect(receiver.requests().map((request) => request.status)).to.deep.equal([503]);
      expect(receiver.requests()[0]?.accepted).to.equal(false);
      expect(receiver.logRecords()).to.deep.equal([]);

      receiver.respond = 'ok';
      const succeeded = await exportOnce(exporter, records);
      expect(succeeded.code).to.equal(ExportResultCode.SUCCESS);
      expect(receiver.logRecords().map((record) => record.severityText)).to.deep.equal(['INFO', '']);
      await exporter.shutdown();
    });

    it('answers 400 with a google.rpc.Status, which the exporter reports as a non-retryable failure', async () => {
      receiver.respond = 400;
      const exporter = new JsonLogExporter(options('logs', NONE));
      const result = await exportOnce(exporter, await finishedLogRecords());
      expect(result.code).to.equal(ExportResultCode.FAILED);
      expect(result.error).to.have.property('code', 400);
      expect(receiver.requests()).to.have.length(1);
      await exporter.shutdown();
    });

    it("'hang' never answers, so the exporter times out", async () => {
      receiver.respond = 'hang';
      const exporter = new ProtoLogExporter(options('logs', NONE, { timeoutMillis: 300 }));
      const started = Date.now();
      const result = await exportOnce(exporter, await finishedLogRecords());
      expect(result.code).to.equal(ExportResultCode.FAILED);
      expect(result.error?.message).to.match(/timed out|timeout/i);
      expect(Date.now() - started).to.be.below(3000);
      const [request] = receiver.requests();
      expect(request).to.deep.include({ status: undefined, accepted: false, signal: 'logs' });
      await exporter.shutdown();
    });

    it('close() ends requests that are still hanging', async () => {
      receiver.respond = 'hang';
      const answer = fetch(receiver.urlFor('logs'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"resourceLogs":[]}',
      }).then(
        (response) => `answered ${response.status}`,
        () => 'connection dropped',
      );
      await receiver.waitFor((r) => r.requests().length === 1);
      const started = Date.now();
      await receiver.close();
      expect(Date.now() - started).to.be.below(1000);
      expect(await answer).to.equal('connection dropped');
    });

    it('delayMs makes a slow collector: the exporter times out while the data still arrives', async () => {
      receiver.delayMs = 2000;
      const exporter = new JsonLogExporter(options('logs', NONE, { timeoutMillis: 300 }));
      const result = await exportOnce(exporter, (await finishedLogRecords()).slice(0, 1));
      expect(result.code).to.equal(ExportResultCode.FAILED);
      expect(receiver.logRecords().map((record) => record.body)).to.deep.equal(['inference done']);
      await exporter.shutdown();
    });

    it('rejects what is not OTLP and records why', async () => {
      const post = (path: string, body: string | Uint8Array, headers: Record<string, string>) =>
        fetch(`${receiver.url}${path}`, { method: 'POST', body, headers }).then((response) => response.status);
      const json = { 'content-type': 'application/json' };
      expect(await post('/v1/profiles', '{}', json)).to.equal(404);
      expect(await post('/v1/logs', '{}', { 'content-type': 'text/plain' })).to.equal(415);
      expect(await post('/v1/logs', 'not gzip', { ...json, 'content-encoding': 'gzip' })).to.equal(400);
      expect(await post('/v1/logs', '{', json)).to.equal(400);
      const badId = '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"zz"}]}]}]}';
      expect(await post('/v1/logs', badId, json)).to.equal(400);
      const protobuf = { 'content-type': 'application/x-protobuf' };
      expect(await post('/v1/traces', new Uint8Array([0x0a, 0xff]), protobuf)).to.equal(400);

      const requests = receiver.requests();
      expect(requests.map((request) => request.status)).to.deep.equal([404, 415, 400, 400, 400, 400]);
      expect(requests.every((request) => !request.accepted && request.error !== undefined)).to.equal(true);
      expect(requests[4]?.error).to.match(/traceId "zz" is not hex/);
    });
  });

  describe('waitFor and reset', () => {
    it('rejects on timeout with what arrived', async () => {
      await exportOnce(new JsonLogExporter(options('logs', NONE)), (await finishedLogRecords()).slice(0, 1));
      const error = await receiver
        .waitFor((r) => r.spans().length > 0, 100)
        .then(
          () => undefined,
          (reason: unknown) => reason as Error,
        );
      expect(error?.message).to.include('condition not met within 100 ms');
      expect(error?.message).to.include('POST /v1/logs application/json identity');
      expect(error?.message).to.include('1 log record(s) ["inference done"]');
    });

    it('includes the last assertion error of a throwing predicate', async () => {
      const error = await receiver
        .waitFor((r) => {
          expect(r.logRecords()).to.have.length(1);
          return true;
        }, 50)
        .then(
          () => undefined,
          (reason: unknown) => reason as Error,
        );
      expect(error?.message).to.match(/last predicate error: expected \[\] to have a length of 1/);
      expect(error?.message).to.include('received no requests');
    });

    it('reset() forgets everything received', async () => {
      await exportOnce(new JsonLogExporter(options('logs', NONE)), await finishedLogRecords());
      expect(receiver.logRecords()).to.have.length(2);
      receiver.reset();
      expect(receiver.requests()).to.deep.equal([]);
      expect(receiver.logRecords()).to.deep.equal([]);
    });
  });
});
