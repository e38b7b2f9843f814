import { expect } from 'chai';
import { SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import { BasicTracerProvider, InMemorySpanExporter, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { QueuedExporter } from '../src/export/queued-exporter.js';
import { BoundedSpanProcessor } from '../src/export/span-processor.js';
import type { LogRecordSink } from '../src/signals/queueing-logger.js';
import { QueueingLogger } from '../src/signals/queueing-logger.js';
import { recordingReporter } from './export-helpers.js';

/** Records every span it sees but samples none: what a failed or slow call's span looks like before `keep`. */
const recordOnly: Sampler = {
  shouldSample: () => ({ decision: SamplingDecision.RECORD }),
  toString: () => 'RecordOnly',
};

/** A record as a holding exporter of the tests holds it: a text made of its body. */
type HeldRecord = Pick<ReadableLogRecord, 'resource' | 'instrumentationScope'> & { text: string };

/** A logger writing into `queue`, as the own providers' logger does. */
function loggerInto(queue: LogRecordSink): QueueingLogger {
  return new QueueingLogger(resourceFromAttributes({}), { name: 'test' }, [queue]);
}

describe('QueuedExporter of log records', () => {
  it('exports what the logger emits, and shuts the exporter down with it', async () => {
    const exporter = new InMemoryLogRecordExporter();
    let exporterShutDown = false;
    exporter.shutdown = () => Promise.resolve(void (exporterShutDown = true));
    const logQueue = new QueuedExporter<ReadableLogRecord>({
      exporter,
      reporter: recordingReporter(),
      label: 'logs to memory',
    });
    const logger = loggerInto(logQueue);
    for (const body of ['a', 'b', 'c']) logger.emit({ body });

    await logQueue.forceFlush();
    expect(exporter.getFinishedLogRecords().map((record) => record.body)).to.deep.equal(['a', 'b', 'c']);
    expect(logQueue.queue.exported).to.equal(3);

    await logQueue.shutdown();
    expect(exporterShutDown).to.equal(true);
    logger.emit({ body: 'late' });
    expect(logQueue.queue.depth).to.equal(0);
  });

  it('exports only once resource attributes still being detected are known', async () => {
    let detect!: (hostId: string) => void;
    const resource = resourceFromAttributes({ 'host.id': new Promise<string>((resolve) => (detect = resolve)) });
    const exportedHostIds: unknown[] = [];
    const exporter = {
      export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
        exportedHostIds.push(...records.map((record) => record.resource.attributes['host.id']));
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
    };
    const logQueue = new QueuedExporter<ReadableLogRecord>({ exporter, reporter: recordingReporter(), label: 'logs' });
    new QueueingLogger(resource, { name: 'test' }, [logQueue]).emit({ body: 'a' });
    const flushed = logQueue.forceFlush();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exportedHostIds, 'exported before the detection finished').to.deep.equal([]);
    detect('host-1');
    await flushed;
    expect(exportedHostIds).to.deep.equal(['host-1']);
  });

  it('counts the records a full queue drops, reporting once', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const reporter = recordingReporter();
    const logQueue = new QueuedExporter<ReadableLogRecord>({
      exporter,
      reporter,
      label: 'logs to memory',
      queue: { maxQueueSize: 2, scheduledDelayMillis: 60_000 },
    });
    const logger = loggerInto(logQueue);
    for (let i = 0; i < 5; i++) logger.emit({ body: i });
    expect(logQueue.queue.dropped).to.equal(3);
    expect(reporter.calls.map((call) => call.code)).to.deep.equal(['INFERLENS_QUEUE_FULL_LOGS_TO_MEMORY']);
    await logQueue.shutdown();
    expect(logQueue.queue.exported).to.equal(2);
  });

  it('counts the records of a failed export', async () => {
    const failing = new InMemoryLogRecordExporter();
    failing.export = (_logs: ReadableLogRecord[], done: (result: ExportResult) => void) =>
      done({ code: ExportResultCode.FAILED, error: new Error('collector unreachable') });
    const reporter = recordingReporter();
    const logQueue = new QueuedExporter<ReadableLogRecord>({ exporter: failing, reporter, label: 'logs to otlp' });
    const logger = loggerInto(logQueue);
    logger.emit({ body: 'x' });
    logger.emit({ body: 'y' });
    await logQueue.forceFlush();
    expect(logQueue.queue.failed).to.equal(2);
    expect(reporter.calls[0]?.message).to.include('collector unreachable');
    await logQueue.shutdown();
  });

  it('goes on past an exporter that never calls back, then one that throws, and exports the later records', async () => {
    const exported: unknown[] = [];
    let calls = 0;
    const exporter = {
      export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
        calls++;
        if (calls === 1) return;
        if (calls === 2) throw new Error('exporter broke');
        exported.push(...records.map((record) => record.body));
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
    };
    const reporter = recordingReporter();
    const logQueue = new QueuedExporter<ReadableLogRecord>({
      exporter,
      reporter,
      label: 'logs to otlp',
      queue: { maxExportBatchSize: 2, scheduledDelayMillis: 60_000, exportTimeoutMillis: 10 },
    });
    const logger = loggerInto(logQueue);
    for (let i = 0; i < 5; i++) logger.emit({ body: i });
    await logQueue.shutdown();
    expect(exported).to.deep.equal([4]);
    expect({ failed: logQueue.queue.failed, exported: logQueue.queue.exported }).to.deep.equal({
      failed: 4,
      exported: 1,
    });
    expect(reporter.calls.map((call) => call.code)).to.deep.equal(['INFERLENS_EXPORT_FAILED_LOGS_TO_OTLP']);
  });
  it("queues what a holding exporter's hold makes of each record, and tells onLost of a dropped one in that form", async () => {
    const holds: { body: unknown; queued: boolean }[] = [];
    const exported: string[] = [];
    const lost: string[] = [];
    const exporter = {
      hold: (record: ReadableLogRecord, queued: boolean): HeldRecord => {
        holds.push({ body: record.body, queued });
        return {
          resource: record.resource,
          instrumentationScope: record.instrumentationScope,
          text: `held ${record.body as string}`,
        };
      },
      export(items: HeldRecord[], done: (result: ExportResult) => void): void {
        exported.push(...items.map((item) => item.text));
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
    };
    const logQueue = new QueuedExporter<ReadableLogRecord, HeldRecord>({
      exporter,
      reporter: recordingReporter(),
      label: 'logs',
      queue: { maxQueueSize: 2, scheduledDelayMillis: 60_000 },
      onLost: (items) => lost.push(...items.map((item) => item.text)),
    });
    const logger = loggerInto(logQueue);
    for (const body of ['a', 'b', 'c']) logger.emit({ body });
    await logQueue.shutdown();
    expect(holds).to.deep.equal([
      { body: 'a', queued: true },
      { body: 'b', queued: true },
      { body: 'c', queued: false },
    ]);
    expect(exported).to.deep.equal(['held a', 'held b']);
    expect(lost).to.deep.equal(['held c']);
  });
});

describe('BoundedSpanProcessor', () => {
  it('exports the spans keep picks, sampled or not, through a BasicTracerProvider', async () => {
    const exporter = new InMemorySpanExporter();
    const processor = new BoundedSpanProcessor({
      exporter,
      keep: (span) => span.status.code === SpanStatusCode.ERROR,
      reporter: recordingReporter(),
      label: 'traces to memory',
    });
    const provider = new BasicTracerProvider({ sampler: recordOnly, spanProcessors: [processor] });
    const tracer = provider.getTracer('test');
    tracer.startSpan('ok').end();
    const failed = tracer.startSpan('failed');
    failed.setStatus({ code: SpanStatusCode.ERROR });
    failed.end();

    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).to.deep.equal(['failed']);
    expect(spans[0]?.spanContext().traceFlags & TraceFlags.SAMPLED).to.equal(0);
    expect(processor.queue.exported).to.equal(1);
    await provider.shutdown();
  });

  it('does not let a throwing keep predicate reach span.end()', async () => {
    const reporter = recordingReporter();
    const processor = new BoundedSpanProcessor({
      exporter: new InMemorySpanExporter(),
      keep: () => {
        throw new Error('bad predicate');
      },
      reporter,
      label: 'traces to memory',
    });
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('test');
    expect(() => tracer.startSpan('s').end()).not.to.throw();
    expect(processor.queue.depth).to.equal(0);
    expect(reporter.calls[0]?.message).to.include('bad predicate');
    await processor.shutdown();
  });
});
