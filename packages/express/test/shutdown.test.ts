import { expect } from 'chai';
import { requestIdsOf } from '../../../test/support/otlp-model.js';
import type { OtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { startOtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { inferenceTelemetry } from '../src/middleware.js';
import { ATTR_TELEMETRY_SIGNAL, METRIC_RECORDS_EXPORTED } from '../src/semconv.js';
import { IRIS_BODY, kserveApp, post, useServers } from './in-memory-telemetry.js';

/** Long enough that an export still in flight would be missed by metrics read at the same time. */
const SLOW_ANSWER_MS = 300;
const CALLS = 3;

describe('shutdown (own providers, over the wire)', () => {
  const servers = useServers();
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver({ delayMs: SLOW_ANSWER_MS });
  });
  after(() => receiver.close());

  it('exports the metrics last, so the exported counts include the final span and log exports', async () => {
    const telemetry = inferenceTelemetry({ otlp: { endpoint: receiver.url }, fileSink: { enabled: false } });
    const url = await servers.start(kserveApp(telemetry));
    for (let i = 0; i < CALLS; i++) await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await telemetry.shutdown();
    const exported = receiver.metrics().find((metric) => metric.name === METRIC_RECORDS_EXPORTED);
    const bySignal = Object.fromEntries(
      (exported?.dataPoints ?? []).map((point) => [point.attributes[ATTR_TELEMETRY_SIGNAL], point.value]),
    );
    expect(bySignal).to.deep.equal({ logs: 2 * CALLS, traces: CALLS });
  });

  it('forceFlush exports everything queued, without waiting for the schedule, and leaves the telemetry running', async () => {
    receiver.reset();
    // A schedule no test waits for: only the flush can export.
    const telemetry = inferenceTelemetry({
      otlp: { endpoint: receiver.url },
      queue: { scheduledDelayMillis: 60_000 },
      fileSink: { enabled: false },
    });
    try {
      const url = await servers.start(kserveApp(telemetry));
      for (const id of ['first', 'second']) {
        await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': id });
        await telemetry.forceFlush();
      }
      expect(requestIdsOf(receiver.logRecords())).to.deep.equal(['first', 'first', 'second', 'second']);
      expect(requestIdsOf(receiver.spans())).to.deep.equal(['first', 'second']);
    } finally {
      await telemetry.shutdown();
    }
  });
});
