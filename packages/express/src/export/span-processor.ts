import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TelemetryReporter } from '../reporter.js';
import type { WithResource } from './bounded-queue.js';
import type { QueuedExporterConfig } from './queued-exporter.js';
import { QueuedExporter } from './queued-exporter.js';

/** What a {@link BoundedSpanProcessor} exports to, which spans it keeps, and how it reports trouble. */
export interface BoundedSpanProcessorConfig<H = ReadableSpan> extends Omit<
  QueuedExporterConfig<ReadableSpan, H>,
  'onLost'
> {
  /**
   * Decides, when a span ends, whether it is exported. Unlike the SDK's batch
   * processor, the sampled flag is not checked: a span that was recorded but
   * not sampled (a failed or slow call) is exported when `keep` says so.
   */
  keep: (span: ReadableSpan) => boolean;
}

/**
 * A batching span processor that counts what it drops and exports the spans
 * `keep` picks: the SDK's `BatchSpanProcessor`, with a {@link QueuedExporter}
 * in place of its silent queue (holding spans as its exporter does).
 */
export class BoundedSpanProcessor<H extends WithResource = ReadableSpan>
  extends QueuedExporter<ReadableSpan, H>
  implements SpanProcessor
{
  readonly #keep: (span: ReadableSpan) => boolean;
  readonly #reporter: TelemetryReporter;

  constructor(config: BoundedSpanProcessorConfig<H>) {
    super(config);
    this.#keep = config.keep;
    this.#reporter = config.reporter;
  }

  /** Nothing to do when a span starts. */
  onStart(_span: Span, _parentContext: Context): void {}

  /** Queues the span if `keep` says so; never throws and never waits. */
  onEnd(span: ReadableSpan): void {
    let kept: boolean;
    try {
      kept = this.#keep(span);
    } catch (error) {
      // A throwing predicate must not reach span.end() in the request path.
      const reason = error instanceof Error ? error.message : String(error);
      this.#reporter.warnOnce(
        'INFERLENS_SPAN_FILTER_FAILED',
        `inferlens: the span filter threw (${reason}); spans it threw on are not exported.`,
      );
      return;
    }
    if (kept) this.push(span);
  }
}
