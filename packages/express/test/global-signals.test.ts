import { metrics } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { expect } from 'chai';
import type { CallMeasurement } from '../src/metrics/call-metrics.js';
import { METRIC_ACTIVE_REQUESTS, METRIC_REQUEST_DURATION, METRIC_TELEMETRY_ERRORS, PROTOCOL } from '../src/semconv.js';
import { globalSignals } from '../src/signals/global-signals.js';

class CollectingReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** The values of the points of metric `name` that `reader` collects now. */
async function pointValues(reader: MetricReader, name: string): Promise<unknown[] | undefined> {
  const { resourceMetrics } = await reader.collect();
  const found = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  return found.find((metric) => metric.descriptor.name === name)?.dataPoints.map((point) => point.value);
}

const CALL: CallMeasurement = {
  protocol: PROTOCOL.KSERVE_V1,
  model: 'iris',
  version: undefined,
  status: 200,
  failed: false,
  durationSeconds: 0.002,
  batchSize: 2,
  requestBytes: 60,
  responseBytes: 20,
  modelExecutionSeconds: undefined,
};

describe('global signals', () => {
  let provider: MeterProvider | undefined;
  beforeEach(() => metrics.disable());
  afterEach(async () => {
    metrics.disable();
    await provider?.shutdown();
  });

  /** Registers a meter provider as the global one, as an application does, and gives its reader. */
  function registerMeterProvider(): MetricReader {
    const reader = new CollectingReader();
    provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    return reader;
  }

  it('records the metrics into a meter provider registered after the middleware was built, as spans and records go', async () => {
    // The API hands out no proxy meter (it does for tracers and loggers): a meter taken now would be a no-op for good.
    const signals = globalSignals();
    const reader = registerMeterProvider();

    signals.metrics.started(PROTOCOL.KSERVE_V1);
    signals.metrics.ended(CALL);

    const durations = await pointValues(reader, METRIC_REQUEST_DURATION);
    expect(durations?.map((value) => (value as Histogram).count)).to.deep.equal([1]);
    expect(await pointValues(reader, METRIC_ACTIVE_REQUESTS)).to.deep.equal([0]);
  });

  it('counts a call that began before the meter provider was registered as in progress there, until it ends', async () => {
    const signals = globalSignals();
    signals.metrics.started(PROTOCOL.KSERVE_V1);
    signals.metrics.started(PROTOCOL.KSERVE_V1);
    const reader = registerMeterProvider();

    signals.metrics.ended(CALL);
    expect(await pointValues(reader, METRIC_ACTIVE_REQUESTS)).to.deep.equal([1]);
    signals.metrics.ended(CALL);
    expect(await pointValues(reader, METRIC_ACTIVE_REQUESTS)).to.deep.equal([0]);
  });

  it('carries over to a newly registered provider only the calls still in progress', async () => {
    const signals = globalSignals();
    signals.metrics.started(PROTOCOL.KSERVE_V1);
    signals.metrics.ended(CALL);
    signals.metrics.started(PROTOCOL.KSERVE_V1);
    const reader = registerMeterProvider();

    signals.metrics.started(PROTOCOL.KSERVE_V1);
    expect(await pointValues(reader, METRIC_ACTIVE_REQUESTS)).to.deep.equal([2]);
  });

  it('counts a telemetry error into a meter provider registered since, before any call', async () => {
    const signals = globalSignals();
    const reader = registerMeterProvider();

    signals.metrics.telemetryError();
    expect(await pointValues(reader, METRIC_TELEMETRY_ERRORS)).to.deep.equal([1]);
  });
});
