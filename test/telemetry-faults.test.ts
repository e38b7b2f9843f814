/**
 * A collector in trouble never reaches the predict calls: with the logs and
 * traces collector down, hanging or answering 503, predictions keep answering
 * at once and correctly, the drops are counted in the telemetry's own metrics
 * (read from a second, healthy metrics endpoint), the full queue is reported
 * once, and a collector that recovers gets the records produced later.
 */
import { expect } from 'chai';
import type { InferenceTelemetryOptions } from '../packages/express/src/index.js';
import type { InferenceServer } from '../packages/server/src/index.js';
import type { ReceivedMetric } from './support/otlp-model.js';
import { recordsOfCall, spansOfCall } from './support/otlp-model.js';
import type { OtlpReceiver } from './support/otlp-receiver.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';
import { DEMO_REPOSITORY, serveRepository } from './support/server.js';
import { IRIS_V1_BODY } from './support/iris-calls.js';
import type { CollectedWarnings } from './support/warnings.js';
import { collectWarnings } from './support/warnings.js';

const V1_ANSWER = { predictions: [1, 1] };

/** The exporter's time limit: a call that waited for an export would take this long. */
const EXPORT_TIMEOUT_MS = 5000;
/** Generous: the point is that a call does not wait for the 5 s export. */
const CALL_LIMIT_MS = 1000;
/** Calls per scenario: 24 log records and 12 spans against queues of 4. */
const CALLS = 12;
const QUEUE_SIZE = 4;

const DROPPED = 'inferlens.telemetry.records.dropped';
const QUEUE_FULL = 'INFERLENS_QUEUE_FULL';

interface TimedCall {
  readonly status: number;
  readonly body: unknown;
  readonly ms: number;
}

async function predict(url: string, requestId: string): Promise<TimedCall> {
  const start = performance.now();
  const response = await fetch(`${url}/v1/models/iris:predict`, {
    method: 'POST',
    body: IRIS_V1_BODY,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
  });
  const text = await response.text();
  const ms = performance.now() - start;
  return { status: response.status, body: JSON.parse(text), ms };
}

/** Sends `count` predictions one after another; each must answer 200, correctly and in time. */
async function predictMany(url: string, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const call = await predict(url, `${prefix}-${i}`);
    expect(call.status, `call ${i}`).to.equal(200);
    expect(call.body, `call ${i}`).to.deep.equal(V1_ANSWER);
    expect(call.ms, `call ${i} took ${call.ms.toFixed(0)} ms`).to.be.below(CALL_LIMIT_MS);
  }
}

/** The last exported value of the dropped counter for a signal (cumulative), or undefined. */
function droppedOf(receiver: OtlpReceiver, signal: 'logs' | 'traces'): number | undefined {
  const metric: ReceivedMetric | undefined = receiver
    .metrics()
    .filter((m) => m.name === DROPPED)
    .at(-1);
  return metric?.dataPoints.find(
    (point) =>
      point.attributes['inferlens.telemetry.signal'] === signal &&
      point.attributes['inferlens.telemetry.destination'] === 'otlp',
  )?.value;
}

/** A logs and traces collector in some kind of trouble. */
interface FaultyCollector {
  readonly name: string;
  /** The base URL the logs and traces go to. */
  start(): Promise<{ url: string; receiver: OtlpReceiver | undefined }>;
  /** What the faulty receiver saw, checked after the calls. */
  check?(receiver: OtlpReceiver): void;
}

const COLLECTORS: readonly FaultyCollector[] = [
  {
    name: 'down (the port refuses)',
    start: async () => {
      const dead = await startOtlpReceiver();
      const url = dead.url;
      await dead.close();
      return { url, receiver: undefined };
    },
  },
  {
    name: 'hanging (never answers)',
    start: async () => {
      const receiver = await startOtlpReceiver({ respond: 'hang' });
      return { url: receiver.url, receiver };
    },
    check: (receiver) => {
      expect(
        receiver.requests().some((request) => request.path === '/v1/logs' && request.status === undefined),
      ).to.equal(true, receiver.describe());
    },
  },
  {
    name: 'answering 503',
    start: async () => {
      const receiver = await startOtlpReceiver({ respond: 503 });
      return { url: receiver.url, receiver };
    },
    check: (receiver) => {
      expect(receiver.requests().some((request) => request.path === '/v1/logs' && request.status === 503)).to.equal(
        true,
        receiver.describe(),
      );
      expect(receiver.logRecords()).to.be.empty;
    },
  },
];

/** Telemetry options: logs and traces to `faultyUrl`, metrics to the healthy receiver, tiny queues. */
function telemetryTo(faultyUrl: string, metrics: OtlpReceiver): InferenceTelemetryOptions {
  return {
    otlp: {
      logsEndpoint: `${faultyUrl}/v1/logs`,
      tracesEndpoint: `${faultyUrl}/v1/traces`,
      metricsEndpoint: metrics.urlFor('metrics'),
      timeoutMillis: EXPORT_TIMEOUT_MS,
      metricExportIntervalMillis: 200,
    },
    queue: { maxQueueSize: QUEUE_SIZE, scheduledDelayMillis: 20 },
    fileSink: { enabled: false },
  };
}

describe('telemetry faults: a collector in trouble never reaches the predict calls', function () {
  // Shutting down flushes what is still queued: against a collector that stays down, up to two 5 s exports.
  this.timeout(60_000);

  let metrics: OtlpReceiver | undefined;
  let faulty: OtlpReceiver | undefined;
  let server: InferenceServer | undefined;
  let warnings: CollectedWarnings | undefined;

  afterEach(async () => {
    warnings?.stop();
    // The faulty collector recovers for the shutdown flush, which then takes less time.
    if (faulty !== undefined) faulty.respond = 'ok';
    await server?.close();
    await faulty?.close();
    await metrics?.close();
    server = faulty = metrics = warnings = undefined;
  });

  for (const collector of COLLECTORS) {
    it(`collector ${collector.name}: predictions answer 200 at once, drops are counted, the full queue is reported once`, async () => {
      // The healthy receiver first, so the dead one's port cannot be handed to it.
      metrics = await startOtlpReceiver();
      const { url, receiver } = await collector.start();
      faulty = receiver;
      warnings = collectWarnings();
      server = await serveRepository(DEMO_REPOSITORY, { telemetry: telemetryTo(url, metrics) });

      await predictMany(server.url, 'fault', CALLS);

      // 24 records met a queue of 4 while the first export (4 records at most) was held up for seconds.
      const expectedDrops = 2 * CALLS - 2 * QUEUE_SIZE;
      await metrics.waitFor((r) => (droppedOf(r, 'logs') ?? 0) >= expectedDrops && (droppedOf(r, 'traces') ?? 0) > 0);
      const droppedLogs = droppedOf(metrics, 'logs')!;

      const queueFull = warnings.codes.filter((code) => code.startsWith(QUEUE_FULL));
      expect(queueFull).to.include(`${QUEUE_FULL}_LOGS_TO_OTLP`);
      // Once per queue, not per dropped record.
      expect(queueFull).to.have.lengthOf(new Set(queueFull).size, `warnings: ${queueFull.join(', ')}`);
      expect(queueFull.length).to.be.at.most(2);
      expect(queueFull.length).to.be.below(droppedLogs);

      if (receiver !== undefined) collector.check?.(receiver);
    });
  }

  it('after a hanging collector recovers, records produced later arrive', async () => {
    metrics = await startOtlpReceiver();
    faulty = await startOtlpReceiver({ respond: 'hang' });
    server = await serveRepository(DEMO_REPOSITORY, { telemetry: telemetryTo(faulty.url, metrics) });

    await predictMany(server.url, 'before', CALLS / 2);
    await metrics.waitFor((r) => (droppedOf(r, 'logs') ?? 0) > 0);
    expect(faulty.logRecords()).to.be.empty;

    faulty.respond = 'ok';
    // The hung export gives up after its timeout; the batch queued behind it then goes through.
    const drained = faulty;
    await drained.waitFor(
      (r) =>
        r.requests().some((request) => request.path === '/v1/logs' && request.accepted) &&
        r.requests().some((request) => request.path === '/v1/traces' && request.accepted),
      EXPORT_TIMEOUT_MS * 3,
    );

    const after = await predict(server.url, 'after-recovery');
    expect(after.status).to.equal(200);
    expect(after.body).to.deep.equal(V1_ANSWER);
    await drained.waitFor((r) => {
      return (
        recordsOfCall(r.logRecords(), 'after-recovery').length === 2 &&
        spansOfCall(r.spans(), 'after-recovery').length === 1
      );
    }, EXPORT_TIMEOUT_MS);
    const types = recordsOfCall(drained.logRecords(), 'after-recovery').map(
      (record) => record.attributes['inference.record.type'],
    );
    expect(types).to.have.members(['request', 'response']);
  });
});
