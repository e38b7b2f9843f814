import type { CallbackExporter, LostItems, QueuedExportConfig, WithResource } from './bounded-queue.js';
import { BoundedExportQueue, exportBatchTo, exportQueueOptions } from './bounded-queue.js';

/** An SDK exporter (log record or span) as a {@link QueuedExporter} drives it. */
export interface QueueableExporter<T> extends CallbackExporter<T> {
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * An exporter whose queue holds items in a form of its own, `H`, rather than
 * as they were pushed: the protobuf exporters hold each item's bytes.
 */
export interface HoldingExporter<T, H> extends QueueableExporter<H> {
  /**
   * `item` as the queue holds it. When not `queued` (the queue is full or
   * shut down, and drops it), only what the queue's `onLost` reads is
   * needed. Never throws.
   */
  hold(item: T, queued: boolean): H;
}

/** What a {@link QueuedExporter} exports to, how it is bounded and reports trouble, and who hears of lost items. */
export interface QueuedExporterConfig<T, H = T> extends QueuedExportConfig<
  QueueableExporter<T> | HoldingExporter<T, H>
> {
  /** Told of the items that may have been lost (see {@link LostItems}); none is told by default. */
  onLost?: LostItems<H>;
}

/** How `exporter` holds items: as its `hold` has them, or as they were pushed (then `H` is `T`). */
function holdOf<T, H>(exporter: QueueableExporter<T> | HoldingExporter<T, H>): (item: T, queued: boolean) => H {
  if ('hold' in exporter) return (item, queued) => exporter.hold(item, queued);
  return (item) => item as unknown as H;
}

/**
 * Items on their way to one exporter: a {@link BoundedExportQueue} batches
 * them and counts what it drops (`queue` holds the counts the self-metrics
 * read), as the SDK's batch processors would without counting. The own
 * providers' `QueueingLogger` pushes finished log records into one; the
 * span processor is one. A {@link HoldingExporter}'s items are queued in
 * the form it holds them in.
 */
export class QueuedExporter<T extends WithResource, H extends WithResource = T> {
  /** The queue in front of the exporter, with its `exported`, `dropped`, `failed` and `depth` counts. */
  readonly queue: BoundedExportQueue<H>;
  readonly #exporter: QueueableExporter<T> | HoldingExporter<T, H>;
  readonly #hold: (item: T, queued: boolean) => H;

  constructor(config: QueuedExporterConfig<T, H>) {
    this.#exporter = config.exporter;
    this.#hold = holdOf(config.exporter);
    const options = exportQueueOptions(config.queue);
    const { reporter, label, onLost } = config;
    const exportBatch = exportBatchTo(config.exporter as CallbackExporter<H>);
    this.queue = new BoundedExportQueue(exportBatch, options, reporter, label, onLost);
  }

  /** Queues a finished item; never throws and never waits. */
  push(item: T): void {
    this.queue.push(this.#hold(item, this.queue.accepting));
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
