import type {
  LogRecordExporter,
  LogRecordProcessor,
  ReadableLogRecord,
  ReadWriteLogRecord,
} from '@opentelemetry/sdk-logs';
import type { TelemetryReporter } from '../reporter.js';
import type { ExportQueueOptions } from './bounded-queue.js';
import { BoundedExportQueue, exportBatchTo, exportQueueOptions } from './bounded-queue.js';

/** What a {@link BoundedLogRecordProcessor} exports to, and how it reports trouble. */
export interface BoundedLogRecordProcessorConfig {
  exporter: LogRecordExporter;
  /** Where a full queue and a failing export are reported, once each. */
  reporter: TelemetryReporter;
  /** Names the queue in reports: `logs to otlp`. */
  label: string;
  /** Bounds left out take `DEFAULT_EXPORT_QUEUE_OPTIONS`. */
  queue?: Partial<ExportQueueOptions>;
}

/**
 * A batching log record processor that counts what it drops: the SDK's
 * `BatchLogRecordProcessor`, with a {@link BoundedExportQueue} in place of its
 * silent queue. `queue` holds the counts the self-metrics read.
 */
export class BoundedLogRecordProcessor implements LogRecordProcessor {
  /** The queue in front of the exporter, with its `exported`, `dropped`, `failed` and `depth` counts. */
  readonly queue: BoundedExportQueue<ReadableLogRecord>;
  private readonly exporter: LogRecordExporter;

  constructor(config: BoundedLogRecordProcessorConfig) {
    this.exporter = config.exporter;
    const options = exportQueueOptions(config.queue);
    this.queue = new BoundedExportQueue(exportBatchTo(config.exporter), options, config.reporter, config.label);
  }

  /** Queues the record; never throws and never waits. */
  onEmit(logRecord: ReadWriteLogRecord): void {
    // Queueing the reference is safe: the SDK makes the record read-only once
    // every processor has seen it.
    this.queue.push(logRecord);
  }

  /** Queues a record that is already read-only; never throws and never waits. */
  push(logRecord: ReadableLogRecord): void {
    this.queue.push(logRecord);
  }

  /** Exports every record queued so far, then flushes the exporter (rejects only if its flush does). */
  async forceFlush(): Promise<void> {
    await this.queue.forceFlush();
    await this.exporter.forceFlush();
  }

  /**
   * Exports what is queued, then shuts the exporter down; later records are
   * ignored. Rejects only if the exporter's own shutdown does.
   */
  async shutdown(): Promise<void> {
    await this.queue.shutdown();
    await this.exporter.shutdown();
  }
}
