import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { DataPoint, MetricData, MetricReaderOptions } from '@opentelemetry/sdk-metrics';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { expect } from 'chai';
import { BoundedExportQueue, exportQueueOptions } from '../src/export/bounded-queue.js';
import { AggregatedCallMetrics, CARDINALITY_LIMIT } from '../src/metrics/aggregated-metrics.js';
import type { CallMeasurement, CallMetrics } from '../src/metrics/call-metrics.js';
import type { MetricKind } from '../src/metrics/descriptors.js';
import { METRIC_DEFINITIONS } from '../src/metrics/descriptors.js';
import { InstrumentCallMetrics } from '../src/metrics/instrument-metrics.js';
import {
  ATTR_MODEL_NAME,
  ATTR_TELEMETRY_DESTINATION,
  ATTR_TELEMETRY_SIGNAL,
  METRIC_ACTIVE_REQUESTS,
  METRIC_QUEUE_DEPTH,
  METRIC_RECORDS_DROPPED,
  METRIC_RECORDS_EXPORTED,
  METRIC_REQUEST_DURATION,
  METRIC_TELEMETRY_ERRORS,
  PROTOCOL,
} from '../src/semconv.js';
import { SCOPE_NAME } from '../src/signals/signals.js';
import { recordingReporter } from './export-helpers.js';

class CollectingReader extends MetricReader {
  constructor(options?: MetricReaderOptions) {
    super(options);
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  async metrics(): Promise<MetricData[]> {
    const { resourceMetrics } = await this.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).filter((m) => m.dataPoints.length > 0);
  }
}

const resource = resourceFromAttributes({ 'service.name': 'test' });
const scope = { name: SCOPE_NAME, version: '0.0.0' };

function aggregated(
  options: {
    temporality?: AggregationTemporality;
    queues?: ConstructorParameters<typeof AggregatedCallMetrics>[2];
  } = {},
) {
  const callMetrics = new AggregatedCallMetrics(resource, scope, options.queues ?? []);
  const reader = new CollectingReader({
    metricProducers: [callMetrics],
    aggregationTemporalitySelector: () => options.temporality ?? AggregationTemporality.CUMULATIVE,
  });
  callMetrics.useTemporality((type) => reader.selectAggregationTemporality(type));
  new MeterProvider({ resource, readers: [reader] });
  return { callMetrics, reader };
}

function instrumented() {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ resource, readers: [reader] });
  return { callMetrics: new InstrumentCallMetrics(provider.getMeter(SCOPE_NAME)), reader };
}

/** A metric's comparable content: descriptor, temporality, and points (without times) in a stable order. */
function comparable(metric: MetricData) {
  const points = (metric.dataPoints as DataPoint<unknown>[])
    .map(({ attributes, value }) => ({ attributes, value }))
    .sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));
  return {
    name: metric.descriptor.name,
    unit: metric.descriptor.unit,
    description: metric.descriptor.description,
    temporality: metric.aggregationTemporality,
    type: metric.dataPointType,
    points,
  };
}

async function collected(reader: CollectingReader) {
  return (await reader.metrics()).map(comparable).sort((a, b) => a.name.localeCompare(b.name));
}

const CALLS: CallMeasurement[] = [
  {
    protocol: PROTOCOL.KSERVE_V1,
    model: 'iris',
    version: '1',
    status: 200,
    failed: false,
    durationSeconds: 0.0004,
    batchSize: 2,
    requestBytes: 60,
    responseBytes: 20,
    modelExecutionSeconds: 0.0001,
  },
  {
    protocol: PROTOCOL.KSERVE_V1,
    model: 'iris',
    version: '1',
    status: 200,
    failed: false,
    durationSeconds: 0.001,
    batchSize: 64,
    requestBytes: 3000,
    responseBytes: 300,
    modelExecutionSeconds: undefined,
  },
  {
    protocol: PROTOCOL.KSERVE_V1,
    model: 'iris',
    version: '1',
    status: 400,
    failed: true,
    durationSeconds: 0.25,
    batchSize: undefined,
    requestBytes: 5,
    responseBytes: 40,
    modelExecutionSeconds: undefined,
  },
  {
    protocol: PROTOCOL.OPEN_INFERENCE_V2,
    model: 'iris',
    version: undefined,
    status: 200,
    failed: false,
    durationSeconds: 12,
    batchSize: 1,
    requestBytes: 1024,
    responseBytes: 4096,
    modelExecutionSeconds: 11,
  },
  {
    protocol: PROTOCOL.OPEN_INFERENCE_V2,
    model: undefined,
    version: undefined,
    status: 499,
    failed: true,
    durationSeconds: 0.01,
    batchSize: undefined,
    requestBytes: 0,
    responseBytes: 0,
    modelExecutionSeconds: undefined,
  },
  {
    // Broken off after its 200 began, with an error recorded: a failure with status 200, beside the successes.
    protocol: PROTOCOL.KSERVE_V1,
    model: 'iris',
    version: '1',
    status: 200,
    failed: true,
    durationSeconds: 0.003,
    batchSize: 2,
    requestBytes: 60,
    responseBytes: 10,
    modelExecutionSeconds: 0.0001,
  },
  {
    // A V2 shape of [-1, 4] would give batch size -1: histograms take no negative value (the SDK's drop it).
    protocol: PROTOCOL.OPEN_INFERENCE_V2,
    model: 'iris',
    version: '1',
    status: 400,
    failed: true,
    durationSeconds: 0.001,
    batchSize: -1,
    requestBytes: 30,
    responseBytes: 50,
    modelExecutionSeconds: -0.5,
  },
  {
    // A chunked body no parser kept: its size is unknown, and its series has no request size at all.
    protocol: PROTOCOL.KSERVE_V1,
    model: 'chunked',
    version: '1',
    status: 200,
    failed: false,
    durationSeconds: 0.002,
    batchSize: 2,
    requestBytes: undefined,
    responseBytes: 20,
    modelExecutionSeconds: undefined,
  },
  {
    // Numbers the application reported as NaN: their histograms hold no value, so no min and no max (the SDK's have none).
    protocol: PROTOCOL.KSERVE_V1,
    model: 'unmeasured',
    version: '1',
    status: 200,
    failed: false,
    durationSeconds: 0.002,
    batchSize: NaN,
    requestBytes: 10,
    responseBytes: 20,
    modelExecutionSeconds: NaN,
  },
  {
    // Not numbers at all, from an application in plain JavaScript: the SDK's instruments drop them.
    protocol: PROTOCOL.KSERVE_V1,
    model: 'iris',
    version: '1',
    status: 200,
    failed: false,
    durationSeconds: 0.002,
    batchSize: '3' as unknown as number,
    requestBytes: 10,
    responseBytes: 20,
    modelExecutionSeconds: '0.5' as unknown as number,
  },
];

function replay(callMetrics: CallMetrics): void {
  for (const call of CALLS) callMetrics.started(call.protocol);
  for (const call of CALLS) callMetrics.ended(call);
  callMetrics.started(PROTOCOL.KSERVE_V1);
  callMetrics.telemetryError();
}

describe('aggregated call metrics', () => {
  it('exports the same metric data as recording through the SDK instruments', async () => {
    const sdk = instrumented();
    const own = aggregated();
    replay(sdk.callMetrics);
    replay(own.callMetrics);
    const expected = await collected(sdk.reader);
    expect(expected.map((m) => m.name)).to.include.members([METRIC_REQUEST_DURATION, METRIC_ACTIVE_REQUESTS]);
    expect(await collected(own.reader)).to.deep.equal(expected);
  });

  it('stays the same as the SDK after a second round (cumulative)', async () => {
    const sdk = instrumented();
    const own = aggregated();
    replay(sdk.callMetrics);
    replay(own.callMetrics);
    await own.reader.metrics();
    replay(sdk.callMetrics);
    replay(own.callMetrics);
    expect(await collected(own.reader)).to.deep.equal(await collected(sdk.reader));
  });

  it('reports only what happened since the last collection under delta temporality', async () => {
    const { callMetrics, reader } = aggregated({ temporality: AggregationTemporality.DELTA });
    replay(callMetrics);
    const first = await reader.metrics();
    const duration = first.find((m) => m.descriptor.name === METRIC_REQUEST_DURATION)!;
    expect(duration.aggregationTemporality).to.equal(AggregationTemporality.DELTA);
    callMetrics.ended(CALLS[0]);
    const second = await reader.metrics();
    const points = second.find((m) => m.descriptor.name === METRIC_REQUEST_DURATION)!.dataPoints;
    expect(points).to.have.lengthOf(1);
    expect((points[0].value as { count: number }).count).to.equal(1);
    expect(second.find((m) => m.descriptor.name === METRIC_TELEMETRY_ERRORS)).to.equal(undefined);
  });

  it('counts attribute sets past the cardinality limit under one overflow set per metric, as the SDK does', async () => {
    const sdk = instrumented();
    const { callMetrics, reader } = aggregated();
    for (let i = 0; i < CARDINALITY_LIMIT + 10; i++) {
      for (const metrics of [callMetrics, sdk.callMetrics]) {
        metrics.started(CALLS[0].protocol);
        metrics.ended({ ...CALLS[0], model: `m${i}` });
      }
    }
    // Each call has two payload-size sets (request and response): that metric overflows first.
    expect(await collected(reader)).to.deep.equal(await collected(sdk.reader));
    const duration = (await reader.metrics()).find((m) => m.descriptor.name === METRIC_REQUEST_DURATION)!;
    expect(duration.dataPoints).to.have.lengthOf(CARDINALITY_LIMIT);
    const overflow = duration.dataPoints.find((point) => point.attributes['otel.metric.overflow'] === true)!;
    expect((overflow.value as { count: number }).count).to.equal(11);
    expect(duration.dataPoints.filter((point) => point.attributes[ATTR_MODEL_NAME] !== undefined)).to.have.lengthOf(
      CARDINALITY_LIMIT - 1,
    );
  });

  it('keeps apart calls whose model names and versions hold control characters, as the SDK does', async () => {
    // A client puts them in the path (`/v2/models/a%00b/versions/c/infer`) or in an OpenAI body's `model`.
    const named = (model: string | undefined, version: string | undefined): CallMeasurement => ({
      ...CALLS[0],
      protocol: PROTOCOL.OPEN_INFERENCE_V2,
      model,
      version,
    });
    const calls = [
      named('a\u0000b', 'c'),
      named('a', 'b\u0000c'),
      named(undefined, undefined),
      named('\u0001', undefined),
    ];
    const sdk = instrumented();
    const own = aggregated();
    for (const metrics of [sdk.callMetrics, own.callMetrics]) {
      for (const call of calls) {
        metrics.started(call.protocol);
        metrics.ended(call);
      }
    }
    const expected = await collected(sdk.reader);
    expect(expected.find((m) => m.name === METRIC_REQUEST_DURATION)!.points).to.have.lengthOf(calls.length);
    expect(await collected(own.reader)).to.deep.equal(expected);
  });

  it("reads the export queues' counts when collected", async () => {
    const queue = new BoundedExportQueue<number>(
      () => new Promise(() => {}),
      exportQueueOptions({ maxQueueSize: 2, maxExportBatchSize: 10, scheduledDelayMillis: 60_000 }),
      recordingReporter(),
      'logs to otlp',
    );
    for (let i = 0; i < 5; i++) queue.push(i);
    const { reader } = aggregated({
      queues: [{ signal: 'logs', destination: 'otlp', queue: queue as BoundedExportQueue<unknown> }],
    });
    const found = await reader.metrics();
    const value = (name: string) => found.find((m) => m.descriptor.name === name)!.dataPoints[0];
    expect(value(METRIC_RECORDS_DROPPED).value).to.equal(3);
    expect(value(METRIC_RECORDS_DROPPED).attributes[ATTR_TELEMETRY_DESTINATION]).to.equal('otlp');
    expect(value(METRIC_QUEUE_DEPTH).value).to.equal(2);
    expect(value(METRIC_RECORDS_EXPORTED).value).to.equal(0);
  });

  it('counts the records of a failed export as dropped, as well as those the full queue refused', async () => {
    const failing = new BoundedExportQueue<number>(
      () => Promise.resolve({ code: ExportResultCode.FAILED, error: new Error('collector down') }),
      exportQueueOptions({ maxQueueSize: 4, maxExportBatchSize: 10, scheduledDelayMillis: 60_000 }),
      recordingReporter(),
      'traces to otlp',
    );
    for (let i = 0; i < 6; i++) failing.push(i);
    await failing.forceFlush();
    const { reader } = aggregated({
      queues: [{ signal: 'traces', destination: 'otlp', queue: failing as BoundedExportQueue<unknown> }],
    });
    const [point] = (await reader.metrics()).find((m) => m.descriptor.name === METRIC_RECORDS_DROPPED)!.dataPoints;
    expect(point.value).to.equal(6);
    expect(point.attributes).to.deep.equal({ [ATTR_TELEMETRY_SIGNAL]: 'traces', [ATTR_TELEMETRY_DESTINATION]: 'otlp' });
  });

  it("hands its metrics over once the resource's detected attributes have settled, for readers that do not wait", async () => {
    let settle!: (id: string) => void;
    const detecting = resourceFromAttributes({
      'service.name': 'test',
      'host.id': new Promise<string>((resolve) => (settle = resolve)),
    });
    let handedOver = false;
    const collection = new AggregatedCallMetrics(detecting, scope, []).collect().then((result) => {
      handedOver = true;
      return result;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(handedOver).to.equal(false);
    settle('machine-1');
    const { resource: collected } = (await collection).resourceMetrics;
    expect(collected.asyncAttributesPending).to.equal(false);
    expect(collected.attributes).to.include({ 'host.id': 'machine-1' });
  });

  it('exports every defined metric as the kind its definition states', async () => {
    const queue = new BoundedExportQueue<number>(
      () => new Promise(() => {}),
      exportQueueOptions(),
      recordingReporter(),
      'logs to otlp',
    );
    const { callMetrics, reader } = aggregated({
      queues: [{ signal: 'logs', destination: 'otlp', queue: queue as BoundedExportQueue<unknown> }],
    });
    replay(callMetrics);
    const kindOf = (metric: MetricData): MetricKind => {
      if (metric.dataPointType === DataPointType.HISTOGRAM) return 'histogram';
      return metric.dataPointType === DataPointType.SUM && metric.isMonotonic ? 'counter' : 'gauge';
    };
    const exported = Object.fromEntries((await reader.metrics()).map((m) => [m.descriptor.name, kindOf(m)]));
    expect(exported).to.deep.equal(Object.fromEntries(METRIC_DEFINITIONS.map((d) => [d.name, d.kind])));
  });
});
