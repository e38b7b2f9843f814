import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mock } from 'node:test';
import { expect } from 'chai';
import type { OtlpReceiver } from '../../../test/support/otlp-receiver.js';
import { requestIdsOf } from '../../../test/support/otlp-model.js';
import { useOtlpReceiver } from '../../../test/support/use-otlp-receiver.js';
import { FileLogRecordExporter } from '../src/file-sink/file-log-exporter.js';
import type { InferenceTelemetry } from '../src/middleware.js';
import { inferenceTelemetry } from '../src/middleware.js';
import { ATTR_TELEMETRY_SIGNAL, METRIC_RECORDS_EXPORTED } from '../src/semconv.js';
import type { InferenceTelemetryOptions } from '../src/types.js';
import { IRIS_BODY, kserveApp, post, useRecordedWarnings, useServers } from './in-memory-telemetry.js';

/** Long enough that an export still in flight would be missed by metrics read at the same time. */
const SLOW_ANSWER_MS = 300;
const CALLS = 3;
/** The export time limits given to a middleware whose collector never answers. */
const SHORT_TIMEOUT_MS = 500;

/** The exported counts by signal in the last metric export the receiver got. */
function exportedBySignal(receiver: OtlpReceiver): Record<string, unknown> {
  const exported = receiver
    .metrics()
    .filter((metric) => metric.name === METRIC_RECORDS_EXPORTED)
    .at(-1);
  return Object.fromEntries(
    (exported?.dataPoints ?? []).map((point) => [point.attributes[ATTR_TELEMETRY_SIGNAL], point.value]),
  );
}

/** Whether `work` settles before `ms` have passed. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('shutdown (own providers, over the wire)', () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ delayMs: SLOW_ANSWER_MS, per: 'test' });

  /** A middleware exporting to the receiver whose batches wait for a flush: no schedule any test waits for. */
  function flushedOnly(): InferenceTelemetry {
    return inferenceTelemetry({
      otlp: { endpoint: receiver().url },
      queue: { scheduledDelayMillis: 60_000 },
      fileSink: { enabled: false },
    });
  }

  /** Makes a call with each id through `telemetry`. */
  async function predictEach(telemetry: InferenceTelemetry, ids: readonly string[]): Promise<void> {
    const url = await servers.start(kserveApp(telemetry));
    for (const id of ids) await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': id });
  }

  /** Every call's two records and span arrived, each once. */
  function expectEachOnce(ids: readonly string[]): void {
    expect(requestIdsOf(receiver().logRecords()).sort()).to.deep.equal(ids.flatMap((id) => [id, id]).sort());
    expect(requestIdsOf(receiver().spans()).sort()).to.deep.equal([...ids].sort());
  }

  it('exports the metrics last, so the exported counts include the final span and log exports', async () => {
    const telemetry = inferenceTelemetry({ otlp: { endpoint: receiver().url }, fileSink: { enabled: false } });
    const url = await servers.start(kserveApp(telemetry));
    for (let i = 0; i < CALLS; i++) await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await telemetry.shutdown();
    expect(exportedBySignal(receiver())).to.deep.equal({ logs: 2 * CALLS, traces: CALLS });
  });

  it('forceFlush exports everything queued, without waiting for the schedule, and leaves the telemetry running', async () => {
    const telemetry = flushedOnly();
    try {
      const url = await servers.start(kserveApp(telemetry));
      for (const id of ['first', 'second']) {
        await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': id });
        await telemetry.forceFlush();
      }
      expect(requestIdsOf(receiver().logRecords())).to.deep.equal(['first', 'first', 'second', 'second']);
      expect(requestIdsOf(receiver().spans())).to.deep.equal(['first', 'second']);
    } finally {
      await telemetry.shutdown();
    }
  });

  it('called twice at once, exports each record once, and neither call resolves before the last export', async () => {
    const ids = ['a', 'b', 'c'];
    const telemetry = flushedOnly();
    await predictEach(telemetry, ids);
    const first = telemetry.shutdown();
    await telemetry.shutdown();
    expect(exportedBySignal(receiver()), 'when the second call resolved').to.deep.equal({ logs: 6, traces: 3 });
    await first;
    expectEachOnce(ids);
  });

  it('called again once done, exports nothing more', async () => {
    const ids = ['a', 'b'];
    const telemetry = flushedOnly();
    await predictEach(telemetry, ids);
    await telemetry.shutdown();
    const sent = receiver().requests().length;
    await telemetry.shutdown();
    expect(receiver().requests()).to.have.length(sent);
    expectEachOnce(ids);
  });

  it('after forceFlush, or beside it, exports each record once', async () => {
    const telemetry = flushedOnly();
    await predictEach(telemetry, ['flushed']);
    await telemetry.forceFlush();
    await predictEach(telemetry, ['beside']);
    await Promise.all([telemetry.forceFlush(), telemetry.shutdown()]);
    expectEachOnce(['flushed', 'beside']);
    expect(exportedBySignal(receiver())).to.deep.equal({ logs: 4, traces: 2 });
  });
});

describe('shutdown when a sink fails to stop (own providers)', () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ per: 'test' });
  let directory = '';
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'inferlens-shutdown-'))));
  afterEach(() => {
    mock.restoreAll();
    rmSync(directory, { recursive: true, force: true });
  });

  it("still exports the metrics, then rejects with the sink's error", async () => {
    const failure = new Error('the file sink could not stop');
    mock.method(FileLogRecordExporter.prototype, 'shutdown', () => Promise.reject(failure));
    const telemetry = inferenceTelemetry({
      otlp: { endpoint: receiver().url },
      fileSink: { enabled: true, directory },
    });
    const url = await servers.start(kserveApp(telemetry));
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'last' });
    const outcome = await telemetry.shutdown().then(
      () => 'resolved',
      (error: unknown) => error,
    );
    expect(outcome).to.equal(failure);
    expect(requestIdsOf(receiver().spans())).to.deep.equal(['last']);
    expect(exportedBySignal(receiver()), 'the final metric export').to.have.property('traces', 1);
  });
});

describe('shutdown with a collector that never answers (own providers)', () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ respond: 'hang' });
  // The failed exports are reported as process warnings.
  useRecordedWarnings();

  /** A middleware whose every export gives up after {@link SHORT_TIMEOUT_MS}, and whose batches wait for a flush. */
  async function oneCallQueued(): Promise<InferenceTelemetry> {
    const options: InferenceTelemetryOptions = {
      otlp: { endpoint: receiver().url, timeoutMillis: SHORT_TIMEOUT_MS },
      queue: { scheduledDelayMillis: 60_000, exportTimeoutMillis: SHORT_TIMEOUT_MS },
      fileSink: { enabled: false },
    };
    const telemetry = inferenceTelemetry(options);
    const url = await servers.start(kserveApp(telemetry));
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    return telemetry;
  }

  it('forceFlush waits for every batch queued, past the 30 s the SDK tracer provider gives its processors', async () => {
    const telemetry = inferenceTelemetry({
      otlp: { endpoint: receiver().url, timeoutMillis: SHORT_TIMEOUT_MS },
      queue: { scheduledDelayMillis: 60_000, maxExportBatchSize: 1, exportTimeoutMillis: 10_000 },
      payloadSampleRate: 0,
      fileSink: { enabled: false },
    });
    const url = await servers.start(kserveApp(telemetry));
    // Before the first export starts, so that every export's time limit is on the mocked clock.
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      // Four spans and no records, each span a batch the collector holds until its 10 s export limit.
      for (let call = 0; call < 4; call++) await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      let outcome: string | undefined;
      void telemetry.forceFlush().then(
        () => (outcome = 'resolved'),
        () => (outcome = 'rejected'),
      );
      // A second of the mocked clock per turn of the event loop, for as long as the flush's sockets need.
      const realDeadline = performance.now() + 20_000;
      while (outcome === undefined && performance.now() < realDeadline) {
        mock.timers.tick(1000);
        await new Promise(setImmediate);
      }
      expect(outcome).to.equal('resolved');
      // Every span batch was tried, and the metrics. A batch's time limit runs on the mocked clock, which can end it
      // while it is still gzipped on the thread pool; its request then reaches the collector later, even after the
      // metrics' (exported last, which a test of its own shows), so the requests are awaited and counted, not ordered.
      mock.timers.reset();
      await receiver().waitFor((received) => received.requests().length >= 5);
      const signals = receiver()
        .requests()
        .map((request) => request.signal);
      expect(signals.sort()).to.deep.equal(['metrics', 'traces', 'traces', 'traces', 'traces']);
    } finally {
      mock.timers.reset();
      await telemetry.shutdown();
    }
  });

  it('resolves a second call without trying the collector again', async () => {
    const telemetry = await oneCallQueued();
    await telemetry.shutdown();
    const tried = receiver().requests().length;
    expect(tried, 'exports tried by the first call').to.be.above(0);
    expect(await settlesWithin(telemetry.shutdown(), SHORT_TIMEOUT_MS), 'second call settled').to.equal(true);
    expect(receiver().requests()).to.have.length(tried);
  });
});
