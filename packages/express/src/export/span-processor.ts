import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TelemetryReporter } from '../reporter.js';
import type { QueuedExportConfig } from './bounded-queue.js';
import { BoundedExportQueue, exportBatchTo, exportQueueOptions } from './bounded-queue.js';

/** What a {@link BoundedSpanProcessor} exports to, which spans it keeps, and how it reports trouble. */
export interface BoundedSpanProcessorConfig extends QueuedExportConfig<SpanExporter> {
  /**
   * Decides, when a span ends, whether it is exported. Unlike the SDK's batch
   * processor, the sampled flag is not checked: a span that was recorded but
   * not sampled (a failed or slow call) is exported when `keep` says so.
   */
  keep: (span: ReadableSpan) => boolean;
}

/**
 * A batching span processor that counts what it drops and exports the spans
 * `keep` picks: the SDK's `BatchSpanProcessor`, with a {@link BoundedExportQueue}
 * in place of its silent queue. `queue` holds the counts the self-metrics read.
 */
export class BoundedSpanProcessor implements SpanProcessor {
  /** The queue in front of the exporter, with its `exported`, `dropped`, `failed` and `depth` counts. */
  readonly queue: BoundedExportQueue<ReadableSpan>;
  private readonly exporter: SpanExporter;
  private readonly keep: (span: ReadableSpan) => boolean;
  private readonly reporter: TelemetryReporter;

  constructor(config: BoundedSpanProcessorConfig) {
    this.exporter = config.exporter;
    this.keep = config.keep;
    this.reporter = config.reporter;
    const options = exportQueueOptions(config.queue);
    this.queue = new BoundedExportQueue(exportBatchTo(config.exporter), options, config.reporter, config.label);
  }

  /** Nothing to do when a span starts. */
  onStart(_span: Span, _parentContext: Context): void {}

  /** Queues the span if `keep` says so; never throws and never waits. */
  onEnd(span: ReadableSpan): void {
    let kept: boolean;
    try {
      kept = this.keep(span);
    } catch (error) {
      // A throwing predicate must not reach span.end() in the request path.
      const reason = error instanceof Error ? error.message : String(error);
      this.reporter.warnOnce(
        'INFERLENS_SPAN_FILTER_FAILED',
        `inferlens: the span filter threw (${reason}); spans it threw on are not exported.`,
      );
      return;
    }
    if (kept) this.queue.push(span);
  }

  /** Exports every span queued so far, then flushes the exporter (rejects only if its flush does). */
  async forceFlush(): Promise<void> {
    await this.queue.forceFlush();
    await this.exporter.forceFlush?.();
  }

  /**
   * Exports what is queued, then shuts the exporter down; later spans are
   * ignored. Rejects only if the exporter's own shutdown does.
   */
  async shutdown(): Promise<void> {
    await this.queue.shutdown();
    await this.exporter.shutdown();
  }
}
