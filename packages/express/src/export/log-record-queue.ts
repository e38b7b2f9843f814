import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { QueuedExportConfig } from './bounded-queue.js';
import { BoundedExportQueue, exportBatchTo, exportQueueOptions } from './bounded-queue.js';

/**
 * Log records on their way to one exporter: the own providers'
 * `QueueingLogger` pushes finished records here, a {@link BoundedExportQueue}
 * batches them and counts what it drops (`queue` holds the counts the
 * self-metrics read), as the SDK's `BatchLogRecordProcessor` would without
 * counting.
 */
export class LogRecordExportQueue {
  /** The queue in front of the exporter, with its `exported`, `dropped`, `failed` and `depth` counts. */
  readonly queue: BoundedExportQueue<ReadableLogRecord>;
  readonly #exporter: LogRecordExporter;

  constructor(config: QueuedExportConfig<LogRecordExporter>) {
    this.#exporter = config.exporter;
    const options = exportQueueOptions(config.queue);
    this.queue = new BoundedExportQueue(exportBatchTo(config.exporter), options, config.reporter, config.label);
  }

  /** Queues a finished record; never throws and never waits. */
  push(logRecord: ReadableLogRecord): void {
    this.queue.push(logRecord);
  }

  /** Exports every record queued so far, then flushes the exporter (rejects only if its flush does). */
  async forceFlush(): Promise<void> {
    await this.queue.forceFlush();
    await this.#exporter.forceFlush();
  }

  /**
   * Exports what is queued, then shuts the exporter down; later records are
   * ignored. Rejects only if the exporter's own shutdown does.
   */
  async shutdown(): Promise<void> {
    await this.queue.shutdown();
    await this.#exporter.shutdown();
  }
}
