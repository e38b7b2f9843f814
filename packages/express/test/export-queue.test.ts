import { expect } from 'chai';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode, isTracingSuppressed } from '@opentelemetry/core';
import type { ExportBatch, ExportQueueOptions } from '../src/export/bounded-queue.js';
import {
  BoundedExportQueue,
  DEFAULT_EXPORT_QUEUE_OPTIONS,
  exportBatchTo,
  exportQueueOptions,
} from '../src/export/bounded-queue.js';
import { METRIC_RECORDS_DROPPED } from '../src/semconv.js';
import { recordingReporter, sleep, SUCCESS, until } from './export-helpers.js';

/** Bounds small enough to fill; the long delay means only a full batch or a flush exports. */
const SMALL: ExportQueueOptions = {
  maxQueueSize: 5,
  maxExportBatchSize: 100,
  scheduledDelayMillis: 60_000,
  exportTimeoutMillis: 1000,
};

/** An exporter that keeps every batch it is given and answers `answer(batchIndex)`. */
function recorder(answer: (call: number) => Promise<ExportResult> = () => Promise.resolve(SUCCESS)) {
  const batches: number[][] = [];
  const exportBatch: ExportBatch<number> = (items) => {
    batches.push(items);
    return answer(batches.length - 1);
  };
  return { batches, exportBatch };
}

function queueOf(exportBatch: ExportBatch<number>, options: Partial<ExportQueueOptions> = {}) {
  const reporter = recordingReporter();
  const queue = new BoundedExportQueue(exportBatch, { ...SMALL, ...options }, reporter, 'logs to otlp');
  return { queue, reporter };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function pushRange(queue: BoundedExportQueue<number>, from: number, count: number): void {
  for (let i = from; i < from + count; i++) queue.push(i);
}

describe('BoundedExportQueue', () => {
  it('defaults to the SDK batch log record processor’s bounds', () => {
    expect(DEFAULT_EXPORT_QUEUE_OPTIONS).to.deep.equal({
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
      scheduledDelayMillis: 1000,
      exportTimeoutMillis: 30000,
    });
  });

  it('is accepting while it has room and is open: not once full, and not after shutdown', async () => {
    const { queue } = queueOf(recorder().exportBatch);
    pushRange(queue, 0, SMALL.maxQueueSize - 1);
    expect(queue.accepting, 'one place left').to.equal(true);
    queue.push(SMALL.maxQueueSize);
    expect(queue.accepting, 'full').to.equal(false);
    await queue.forceFlush();
    expect(queue.accepting, 'emptied').to.equal(true);
    await queue.shutdown();
    expect(queue.accepting, 'shut down').to.equal(false);
  });

  it('takes the default for a bound left out or given as undefined', () => {
    expect(exportQueueOptions({ maxQueueSize: 10, maxExportBatchSize: undefined })).to.deep.equal({
      ...DEFAULT_EXPORT_QUEUE_OPTIONS,
      maxQueueSize: 10,
    });
  });

  it('exports a partial batch after the scheduled delay', async () => {
    const { batches, exportBatch } = recorder();
    const { queue } = queueOf(exportBatch, { scheduledDelayMillis: 5 });
    pushRange(queue, 0, 3);
    expect(queue.depth).to.equal(3);
    await until(() => queue.exported === 3, '3 exported items');
    expect(batches).to.deep.equal([[0, 1, 2]]);
    expect(queue.depth).to.equal(0);
  });

  it('exports a full batch without waiting for the delay', async () => {
    const { batches, exportBatch } = recorder();
    const { queue } = queueOf(exportBatch, { maxExportBatchSize: 3 });
    pushRange(queue, 0, 4);
    await until(() => queue.exported === 3, '3 exported items');
    expect(batches).to.deep.equal([[0, 1, 2]]);
    expect(queue.depth).to.equal(1);
    await queue.shutdown();
  });

  it('drops and counts exactly what does not fit, and reports it once', async () => {
    const { batches, exportBatch } = recorder();
    const { queue, reporter } = queueOf(exportBatch);
    pushRange(queue, 0, 8);
    expect(queue.depth).to.equal(5);
    expect(queue.dropped).to.equal(3);
    expect(reporter.calls).to.have.length(1);
    expect(reporter.calls[0]?.code).to.equal('INFERLENS_QUEUE_FULL_LOGS_TO_OTLP');
    expect(reporter.calls[0]?.message).to.include('logs to otlp').and.include('5').and.include(METRIC_RECORDS_DROPPED);

    await queue.forceFlush();
    pushRange(queue, 8, 7);
    expect(queue.dropped).to.equal(5);
    expect(reporter.calls).to.have.length(1);
    await queue.forceFlush();
    expect(queue.exported).to.equal(10);
    expect(batches.flat()).to.deep.equal([0, 1, 2, 3, 4, 8, 9, 10, 11, 12]);
  });

  it('never sends a batch larger than maxExportBatchSize, nor two at once', async () => {
    let active = 0;
    let mostActive = 0;
    const { batches, exportBatch } = recorder(async () => {
      mostActive = Math.max(mostActive, ++active);
      await sleep(5);
      active--;
      return SUCCESS;
    });
    const { queue } = queueOf(exportBatch, { maxQueueSize: 100, maxExportBatchSize: 3 });
    pushRange(queue, 0, 10);
    await queue.forceFlush();
    expect(queue.exported).to.equal(10);
    expect(batches.map((batch) => batch.length)).to.satisfy((sizes: number[]) => sizes.every((size) => size <= 3));
    expect(batches.flat()).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(mostActive).to.equal(1);
  });

  for (const [how, answer] of [
    [
      'answers FAILED',
      () => Promise.resolve({ code: ExportResultCode.FAILED, error: new Error('collector said 503') }),
    ],
    ['rejects', () => Promise.reject(new Error('collector said 503'))],
  ] as const) {
    it(`counts a batch whose export ${how} as failed, reports once and goes on`, async () => {
      const { batches, exportBatch } = recorder((call) => (call < 2 ? answer() : Promise.resolve(SUCCESS)));
      const { queue, reporter } = queueOf(exportBatch, { maxQueueSize: 100, maxExportBatchSize: 2 });
      pushRange(queue, 0, 5);
      await queue.forceFlush();
      expect(batches).to.have.length(3);
      expect(queue.failed).to.equal(4);
      expect(queue.exported).to.equal(1);
      expect(reporter.calls).to.have.length(1);
      expect(reporter.calls[0]?.code).to.equal('INFERLENS_EXPORT_FAILED_LOGS_TO_OTLP');
      expect(reporter.calls[0]?.message).to.include('collector said 503');
    });
  }

  it('counts as failed only the items the exporter says it could not write', async () => {
    const { exportBatch } = recorder((call) =>
      Promise.resolve(
        call === 0
          ? { code: ExportResultCode.FAILED, error: new Error('one file of three'), failedItems: 1 }
          : { code: ExportResultCode.FAILED, error: new Error('more than it was sent'), failedItems: 10 },
      ),
    );
    const { queue } = queueOf(exportBatch, { maxQueueSize: 100, maxExportBatchSize: 3 });
    pushRange(queue, 0, 5);
    await queue.forceFlush();
    // The first batch of 3 lost 1; the second, of 2, claims 10 and loses both.
    expect(queue.exported).to.equal(2);
    expect(queue.failed).to.equal(3);
  });

  it('tells onLost of each dropped item and of each batch that failed, whole or in part', async () => {
    const { exportBatch } = recorder((call) =>
      Promise.resolve(
        call === 1 ? { code: ExportResultCode.FAILED, error: new Error('one of two'), failedItems: 1 } : SUCCESS,
      ),
    );
    const lost: number[][] = [];
    const options = { ...SMALL, maxQueueSize: 2, maxExportBatchSize: 2 };
    const queue = new BoundedExportQueue(exportBatch, options, recordingReporter(), 'logs', (items) =>
      lost.push([...items]),
    );
    pushRange(queue, 0, 3);
    await queue.forceFlush();
    pushRange(queue, 3, 2);
    await queue.forceFlush();
    // Which item of a batch written in part was lost is not known: the listener is given the batch.
    expect(lost).to.deep.equal([[2], [3, 4]]);
  });

  it('gives up on an export with no answer within exportTimeoutMillis and goes on', async () => {
    // The first batch is answered, successfully, long after its time is up: too late to count.
    const late = new Promise<ExportResult>((resolve) => setTimeout(() => resolve(SUCCESS), 60));
    const { batches, exportBatch } = recorder((call) => (call === 0 ? late : Promise.resolve(SUCCESS)));
    const { queue, reporter } = queueOf(exportBatch, { maxExportBatchSize: 2, exportTimeoutMillis: 10 });
    pushRange(queue, 0, 3);
    await queue.forceFlush();
    expect(batches).to.deep.equal([[0, 1], [2]]);
    expect(queue.failed).to.equal(2);
    expect(queue.exported).to.equal(1);
    expect(reporter.calls.map((call) => call.message).join()).to.include('no answer within 10 ms');
    await late;
    expect(queue.exported).to.equal(1);
  });

  it('survives an exporter that never answers', async () => {
    const { exportBatch } = recorder(() => new Promise<never>(() => undefined));
    const { queue } = queueOf(exportBatch, { maxExportBatchSize: 2, exportTimeoutMillis: 5 });
    pushRange(queue, 0, 5);
    await queue.shutdown();
    expect(queue.failed).to.equal(5);
    expect(queue.depth).to.equal(0);
  });

  it('never throws from push, even when the exporter throws synchronously', async () => {
    const exportBatch: ExportBatch<number> = () => {
      throw new Error('boom');
    };
    const { queue, reporter } = queueOf(exportBatch, { maxQueueSize: 4, maxExportBatchSize: 2 });
    expect(() => pushRange(queue, 0, 10)).not.to.throw();
    await until(() => queue.failed === 4, '4 failed items');
    await queue.forceFlush();
    expect(queue.failed + queue.dropped + queue.depth).to.equal(10);
    expect(reporter.calls.find((call) => call.code === 'INFERLENS_EXPORT_FAILED_LOGS_TO_OTLP')?.message).to.include(
      'boom',
    );
  });

  it('forceFlush waits for the export in flight and sends everything queued', async () => {
    const { batches, exportBatch } = recorder(async () => {
      await sleep(10);
      return SUCCESS;
    });
    const { queue } = queueOf(exportBatch, { maxExportBatchSize: 2 });
    pushRange(queue, 0, 2);
    await until(() => batches.length === 1, 'the first batch');
    pushRange(queue, 2, 3);
    await queue.forceFlush();
    expect(queue.exported).to.equal(5);
    expect(queue.depth).to.equal(0);
  });

  it('forceFlush sends what was queued before it, one batch at a time, and does not wait for later pushes', async () => {
    const answers: ((result: ExportResult) => void)[] = [];
    const { batches, exportBatch } = recorder(() => new Promise((resolve) => answers.push(resolve)));
    const { queue } = queueOf(exportBatch, { maxExportBatchSize: 2, exportTimeoutMillis: 60_000 });
    pushRange(queue, 0, 3);
    await until(() => batches.length === 1, 'the first batch');
    let flushed = false;
    const flush = queue.forceFlush().then(() => (flushed = true));
    await nextTurn();
    expect(batches, 'no second export while the first is in flight').to.deep.equal([[0, 1]]);
    answers[0]?.(SUCCESS);
    await until(() => batches.length === 2, 'the second batch');
    pushRange(queue, 3, 2);
    answers[1]?.(SUCCESS);
    await until(() => flushed, 'the flush, with items pushed after it still unanswered');
    await flush;
    expect(queue.exported).to.equal(3);
    await until(() => batches.length === 3, 'the later full batch');
    answers[2]?.(SUCCESS);
    await queue.shutdown();
    expect(batches).to.deep.equal([[0, 1], [2], [3, 4]]);
    expect({ exported: queue.exported, failed: queue.failed }).to.deep.equal({ exported: 5, failed: 0 });
  });

  it('sends no empty batch when the delay runs out after a flush took everything', async () => {
    const { batches, exportBatch } = recorder();
    const { queue } = queueOf(exportBatch, { scheduledDelayMillis: 5 });
    queue.push(0);
    await queue.forceFlush();
    await sleep(20);
    expect(batches).to.deep.equal([[0]]);
  });

  it('reports a failure reason without the line break OpenSSL ends its messages with', async () => {
    const { exportBatch } = recorder(() => Promise.reject(new Error('unable to verify the first certificate\n')));
    const { queue, reporter } = queueOf(exportBatch);
    queue.push(0);
    await queue.forceFlush();
    expect(reporter.calls[0]?.message).to.include('(unable to verify the first certificate)');
  });

  it('shutdown flushes, then exports and counts no later push, but reports them once: they are lost', async () => {
    const { batches, exportBatch } = recorder();
    const { queue, reporter } = queueOf(exportBatch);
    pushRange(queue, 0, 3);
    await queue.shutdown();
    expect(queue.exported).to.equal(3);
    expect(reporter.calls).to.deep.equal([]);
    pushRange(queue, 3, 10);
    await sleep(10);
    expect(batches).to.deep.equal([[0, 1, 2]]);
    expect({ depth: queue.depth, dropped: queue.dropped }).to.deep.equal({ depth: 0, dropped: 0 });
    expect(reporter.calls.map((call) => call.code)).to.deep.equal(['INFERLENS_AFTER_SHUTDOWN_LOGS_TO_OTLP']);
    expect(reporter.calls[0].message).to.include('after the telemetry was shut down');
    await queue.shutdown();
  });

  it('keeps no timer that holds the process open: not the delay, a full batch’s next turn nor an export’s time limit', async () => {
    // Node lists ref'd timers and immediates only; an unref'd one lets the process exit.
    const held = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'Immediate');
    let answer!: (result: ExportResult) => void;
    const { batches, exportBatch } = recorder(() => new Promise((resolve) => (answer = resolve)));
    const { queue } = queueOf(exportBatch, { maxExportBatchSize: 2, exportTimeoutMillis: 60_000 });
    // Past the first await, where mocha sets its own timer for the test.
    await nextTurn();
    const before = held();
    queue.push(0);
    expect(held(), 'with the delay set').to.deep.equal(before);
    queue.push(1);
    expect(held(), 'with a full batch due').to.deep.equal(before);
    await nextTurn();
    expect(batches).to.deep.equal([[0, 1]]);
    expect(held(), 'with an export in flight').to.deep.equal(before);
    answer(SUCCESS);
    await queue.shutdown();
    expect(queue.exported).to.equal(2);
  });

  it('exports outside the pushing request’s trace, with tracing suppressed', async () => {
    // The SDK registers a context manager like this one; without one, contexts do not propagate at all.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    try {
      const seen: { suppressed: boolean; span: boolean }[] = [];
      const { queue } = queueOf(
        () => {
          seen.push({
            suppressed: isTracingSuppressed(context.active()),
            span: trace.getSpan(context.active()) !== undefined,
          });
          return Promise.resolve(SUCCESS);
        },
        { scheduledDelayMillis: 5 },
      );
      const request = trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
      context.with(trace.setSpan(ROOT_CONTEXT, request), () => pushRange(queue, 0, 2));
      await until(() => queue.exported === 2, '2 exported items');
      expect(seen).to.deep.equal([{ suppressed: true, span: false }]);
    } finally {
      context.disable();
    }
  });
});

describe('exportBatchTo', () => {
  it('waits for resource attributes still being detected, once per resource, before exporting', async () => {
    let detected!: () => void;
    let waits = 0;
    const pending = new Promise<void>((resolve) => (detected = resolve));
    const resource = {
      asyncAttributesPending: true,
      waitForAsyncAttributes: () => {
        waits++;
        return pending;
      },
    };
    const exported: number[][] = [];
    const exportBatch = exportBatchTo<{ resource: typeof resource; n: number }>({
      export: (items, done) => {
        exported.push(items.map((item) => item.n));
        done(SUCCESS);
      },
    });
    const result = exportBatch([0, 1].map((n) => ({ resource, n })));
    await nextTurn();
    expect(exported, 'before the attributes arrive').to.deep.equal([]);
    detected();
    expect(await result).to.deep.equal(SUCCESS);
    expect(exported).to.deep.equal([[0, 1]]);
    expect(waits).to.equal(1);
  });
});
