import type { CallbackExporter, LostItems, QueuedExportConfig, WithResource } from './bounded-queue.js';
import { BoundedExportQueue, exportBatchTo, exportQueueOptions } from './bounded-queue.js';

/** An SDK exporter (log record or span) as a {@link QueuedExporter} drives it. */
export interface QueueableExporter<T> extends CallbackExporter<T> {
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/** What a {@link QueuedExporter} exports to, how it is bounded and reports trouble, and who hears of lost items. */
export interface QueuedExporterConfig<T> extends QueuedExportConfig<QueueableExporter<T>> {
  /** Told of the items that may have been lost (see {@link LostItems}); none is told by default. */
  onLost?: LostItems<T>;
}

/**
 * Items on their way to one exporter: a {@link BoundedExportQueue} batches
 * them and counts what it drops (`queue` holds the counts the self-metrics
 * read), as the SDK's batch processors would without counting. The own
 * providers' `QueueingLogger` pushes finished log records into one; the
 * span processor is one.
 */
export class QueuedExporter<T extends WithResource> {
  /** The queue in front of the exporter, with its `exported`, `dropped`, `failed` and `depth` counts. */
  readonly queue: BoundedExportQueue<T>;
  readonly #exporter: QueueableExporter<T>;

  constructor(config: QueuedExporterConfig<T>) {
    this.#exporter = config.exporter;
    const options = exportQueueOptions(config.queue);
    const { reporter, label, onLost } = config;
    this.queue = new BoundedExportQueue(exportBatchTo(config.exporter), options, reporter, label, onLost);
  }

  /** Queues a finished item; never throws and never waits. */
  push(item: T): void {
    this.queue.push(item);
  }

  /** Exports every item queued so far, then flushes the exporter (rejects only if its flush does). */
  async forceFlush(): Promise<void> {
    await this.queue.forceFlush();
    await this.#exporter.forceFlush?.();
  }

  /**
   * Exports what is queued, then shuts the exporter down; later items are
   * ignored. Rejects only if the exporter's own shutdown does.
   */
  async shutdown(): Promise<void> {
    await this.queue.shutdown();
    await this.#exporter.shutdown();
  }
}
