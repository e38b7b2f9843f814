import { metrics } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { expect } from 'chai';
import { METRIC_ACTIVE_REQUESTS, METRIC_REQUEST_DURATION, PROTOCOL } from '../src/semconv.js';
import { globalSignals } from '../src/signals/global-signals.js';

class CollectingReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

describe('global signals', () => {
  let provider: MeterProvider | undefined;
  beforeEach(() => metrics.disable());
  afterEach(async () => {
    metrics.disable();
    await provider?.shutdown();
  });

  it('records the metrics into a meter provider registered after the middleware was built, as spans and records go', async () => {
    // The API hands out no proxy meter (it does for tracers and loggers): a meter taken now would be a no-op for good.
    const signals = globalSignals();
    const reader = new CollectingReader();
    provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);

    signals.metrics.started(PROTOCOL.KSERVE_V1);
    signals.metrics.ended({
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
    });

    const { resourceMetrics } = await reader.collect();
    const found = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    const duration = found.find((metric) => metric.descriptor.name === METRIC_REQUEST_DURATION);
    expect(duration?.dataPoints.map((point) => (point.value as Histogram).count)).to.deep.equal([1]);
    const active = found.find((metric) => metric.descriptor.name === METRIC_ACTIVE_REQUESTS);
    expect(active?.dataPoints.map((point) => point.value)).to.deep.equal([0]);
  });
});
