import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { TelemetryReporter } from '../reporter.js';
import { METRIC_RECORDS_DROPPED } from '../semconv.js';

/** The bounds of a {@link BoundedExportQueue}. */
export interface ExportQueueOptions {
  /** Items the queue holds while waiting; past it, new items are dropped and counted. */
  maxQueueSize: number;
  /** Items sent in one export; once this many wait, an export starts without waiting for the delay. */
  maxExportBatchSize: number;
  /** How long an item waits, at most, before a partly filled batch is exported, in milliseconds. */
  scheduledDelayMillis: number;
  /** How long an export may take before its batch is counted as failed, in milliseconds. */
  exportTimeoutMillis: number;
}

/**
 * The OpenTelemetry SDK's defaults for its batch log record processor
 * (`OTEL_BLRP_*`): a queue of 2048 items, batches of 512, an export at
 * least every 1000 ms, and 30000 ms before an export is given up. Spans take
 * them too: the span processor's own delay (`OTEL_BSP_SCHEDULE_DELAY`) is
 * 5000 ms, but a call's span then reaches the backend up to four seconds
 * after its records, and a trace-to-logs link followed in that time finds
 * nothing.
 */
export const DEFAULT_EXPORT_QUEUE_OPTIONS: Readonly<ExportQueueOptions> = Object.freeze({
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 1000,
  exportTimeoutMillis: 30000,
});

/**
 * `overrides` over {@link DEFAULT_EXPORT_QUEUE_OPTIONS}. A bound given as
 * `undefined` (an unset config value) takes the default rather than
 * leaving the queue unbounded.
 */
export function exportQueueOptions(overrides: Partial<ExportQueueOptions> = {}): ExportQueueOptions {
  const options = { ...DEFAULT_EXPORT_QUEUE_OPTIONS };
  for (const key of Object.keys(options) as (keyof ExportQueueOptions)[]) options[key] = overrides[key] ?? options[key];
  return options;
}

/** What a queue in front of an exporter exports to, how it is bounded, and how it reports trouble. */
export interface QueuedExportConfig<E> {
  exporter: E;
  /** Where a full queue and a failing export are reported, once each. */
  reporter: TelemetryReporter;
  /** Names the queue in reports: `logs to otlp`. */
  label: string;
  /** Bounds left out take `DEFAULT_EXPORT_QUEUE_OPTIONS`. */
  queue?: Partial<ExportQueueOptions>;
}

/**
 * Told of items that did not reach the exporter's destination: an item the
 * full queue dropped (on the request's way, so it must be cheap), or a
 * batch whose export failed, on the export's way. Of a batch written in part,
 * which items were lost is not known: the whole batch is given. It must not
 * throw: the queue's `push` never does.
 */
export type LostItems<T> = (items: readonly T[]) => void;

/**
 * An exporter's answer to one batch. An exporter that can write part of a
 * batch (the file sink, whose records go to several files) says how many
 * items it could not write; without `failedItems`, a FAILED answer fails the
 * whole batch.
 */
export interface BatchExportResult extends ExportResult {
  readonly failedItems?: number;
}

/** Sends one batch; resolves with the exporter's answer (a rejection counts as a failure too). */
export type ExportBatch<T> = (items: T[]) => Promise<BatchExportResult>;

/**
 * A bounded queue in front of an exporter that never gets in the request's
 * way: {@link push} is O(1), never throws and never waits; a full queue drops
 * and counts (the SDK's batch processors drop without a count), and each kind
 * of trouble is reported once through the {@link TelemetryReporter}.
 *
 * At most one export is in flight. A batch that fails, rejects or times out
 * is counted as failed (only its `failedItems` where the exporter's answer
 * says how many it could not write, the rest as exported) and the queue
 * moves on to the next one: retries are the exporter's business, inside
 * `exportBatch` (the OTLP exporters retry refused connections and
 * 429/502/503/504 answers within their timeout).
 */
export class BoundedExportQueue<T> {
  private readonly counts = { exported: 0, dropped: 0, failed: 0 };
  private items: T[] = [];
  /** Items taken out for export so far: lets a flush wait for exactly what was queued before it. */
  private taken = 0;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;
  private failureReported = false;
  private pushedAfterShutdown = false;
  private shutdownPromise: Promise<void> | undefined;
  private readonly code: string;

  /**
   * @param exportBatch sends one batch (see {@link exportBatchTo} for an SDK exporter).
   * @param options the queue's bounds ({@link DEFAULT_EXPORT_QUEUE_OPTIONS} for the SDK's).
   * @param reporter where a full queue and a failing export are reported, once each.
   * @param label names the queue in those reports: `logs to otlp`.
   * @param onLost told of items dropped or in a batch that failed; by default none is told.
   */
  constructor(
    private readonly exportBatch: ExportBatch<T>,
    private readonly options: Readonly<ExportQueueOptions>,
    private readonly reporter: TelemetryReporter,
    private readonly label: string,
    private readonly onLost?: LostItems<T>,
  ) {
    // Report codes are Node warning codes: `logs to otlp` becomes `LOGS_TO_OTLP`.
    this.code = label.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  }

  /** Items the exporter accepted, since the queue was made. */
  get exported(): number {
    return this.counts.exported;
  }

  /** Items refused because the queue was full, since the queue was made. */
  get dropped(): number {
    return this.counts.dropped;
  }

  /**
   * Items in batches that failed, were rejected or timed out (of a batch the
   * exporter wrote in part, the items it reported as `failedItems`), since
   * the queue was made.
   */
  get failed(): number {
    return this.counts.failed;
  }

  /** Items waiting to be exported (not counting a batch in flight). */
  get depth(): number {
    return this.items.length;
  }

  /** Whether {@link push} would queue an item now: the queue is neither shut down nor full. */
  get accepting(): boolean {
    return !this.closed && this.items.length < this.options.maxQueueSize;
  }

  /**
   * Queues `item`, or drops and counts it when the queue is full. After
   * {@link shutdown} it is lost, uncounted (the metrics are stopped too), and
   * reported once: the application shut the telemetry down while it still
   * served calls.
   */
  push(item: T): void {
    if (this.closed) {
      if (this.pushedAfterShutdown) return;
      this.pushedAfterShutdown = true;
      this.reporter.warnOnce(
        `INFERLENS_AFTER_SHUTDOWN_${this.code}`,
        `inferlens: ${this.label} came after the telemetry was shut down, and are not exported: shut it down once ` +
          `the server has stopped taking calls (server.close(), then shutdown()).`,
      );
      return;
    }
    if (this.items.length >= this.options.maxQueueSize) {
      this.counts.dropped++;
      this.onLost?.([item]);
      if (this.counts.dropped === 1) {
        this.reporter.warnOnce(
          `INFERLENS_QUEUE_FULL_${this.code}`,
          `inferlens: the queue of ${this.label} is full (${this.options.maxQueueSize} records), so records are ` +
            `being dropped; further drops are counted in the ${METRIC_RECORDS_DROPPED} metric.`,
        );
      }
      return;
    }
    this.items.push(item);
    this.schedule();
  }

  /** Exports every item queued before the call, in batches; never rejects. */
  async forceFlush(): Promise<void> {
    const goal = this.taken + this.items.length;
    for (;;) {
      if (this.inFlight !== undefined) await this.inFlight;
      else if (this.taken < goal && this.items.length > 0) await this.exportNext();
      else return;
    }
  }

  /** Stops accepting items and exports those queued; later pushes are ignored, uncounted. */
  shutdown(): Promise<void> {
    this.closed = true;
    this.shutdownPromise ??= this.forceFlush().then(() => this.cancelTimers());
    return this.shutdownPromise;
  }

  /** Starts an export once a batch is full, or sets the timer that exports a partial one. */
  private schedule(): void {
    if (this.closed || this.inFlight !== undefined || this.items.length === 0) return;
    if (this.items.length >= this.options.maxExportBatchSize) {
      // On the next turn of the event loop, not inside push: serializing a
      // batch is the exporter's work, not the request's.
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        if (this.inFlight === undefined) void this.exportNext();
      }).unref();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        if (this.inFlight === undefined) void this.exportNext();
      }, this.options.scheduledDelayMillis).unref();
    }
  }

  private cancelTimers(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  /** Sends the next batch; the only place an export starts, so one is in flight at most. */
  private exportNext(): Promise<void> {
    this.cancelTimers();
    // At least one item, or a flush would never get to the end of the queue.
    const batch = this.items.splice(0, Math.max(1, this.options.maxExportBatchSize));
    this.taken += batch.length;
    const run = this.send(batch).finally(() => {
      this.inFlight = undefined;
      this.schedule();
    });
    this.inFlight = run;
    return run;
  }

  /** Exports one batch and counts the outcome; never rejects. */
  private async send(batch: T[]): Promise<void> {
    let timeout: NodeJS.Timeout | undefined;
    try {
      // A late answer after the timeout loses the race and is ignored, so a
      // hung exporter neither blocks the queue nor gets its batch counted twice.
      const timedOut = new Promise<BatchExportResult>((resolve) => {
        timeout = setTimeout(() => {
          const error = new Error(`no answer within ${this.options.exportTimeoutMillis} ms`);
          resolve({ code: ExportResultCode.FAILED, error });
        }, this.options.exportTimeoutMillis).unref();
      });
      const result = await Promise.race([this.callExporter(batch), timedOut]);
      if (result.code === ExportResultCode.SUCCESS) this.counts.exported += batch.length;
      else {
        const failed = Math.min(batch.length, result.failedItems ?? batch.length);
        this.counts.exported += batch.length - failed;
        this.fail(batch, failed, result.error ?? 'the exporter answered FAILED');
      }
    } catch (error) {
      this.fail(batch, batch.length, error);
    } finally {
      clearTimeout(timeout);
    }
  }

  private callExporter(batch: T[]): Promise<BatchExportResult> {
    // Timers carry the async context of the push that set them, i.e. the
    // request's span; exporting from a suppressed root context keeps the
    // exporter's own HTTP calls out of the request's trace (as the SDK does).
    return context.with(suppressTracing(ROOT_CONTEXT), () => {
      try {
        return this.exportBatch(batch);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Counts `count` items of `batch` as failed, tells `onLost` of the batch, and reports the first failure. */
  private fail(batch: readonly T[], count: number, error: unknown): void {
    this.counts.failed += count;
    if (count > 0) this.onLost?.(batch);
    if (this.failureReported) return;
    this.failureReported = true;
    // OpenSSL's messages end in a line break.
    const reason = (error instanceof Error ? error.message : String(error)).trim();
    this.reporter.warnOnce(
      `INFERLENS_EXPORT_FAILED_${this.code}`,
      `inferlens: an export of ${this.label} failed (${reason}) after the exporter's own retries; the records it lost are counted ` +
        `as dropped, and further failures are not reported.`,
    );
  }
}

/** An SDK exporter's callback-style `export`, as the log record and span exporters have it. */
export interface CallbackExporter<T> {
  export(items: T[], resultCallback: (result: BatchExportResult) => void): void;
}

/** An item that carries an SDK resource, whose detected attributes may still be on their way. */
export interface WithResource {
  readonly resource: { readonly asyncAttributesPending?: boolean; waitForAsyncAttributes?(): Promise<void> };
}

/**
 * Adapts an SDK exporter to {@link ExportBatch}. Like the SDK's batch
 * processors, it first waits for resource attributes still being detected,
 * so that the exported resource is complete.
 */
export function exportBatchTo<T extends WithResource>(exporter: CallbackExporter<T>): ExportBatch<T> {
  return async (items) => {
    // Items share a handful of resources (usually one): wait once for each.
    const waits: Promise<void>[] = [];
    for (const resource of new Set(items.map((item) => item.resource))) {
      if (resource.asyncAttributesPending && resource.waitForAsyncAttributes)
        waits.push(resource.waitForAsyncAttributes());
    }
    if (waits.length > 0) await Promise.all(waits);
    return new Promise((resolve) => exporter.export(items, resolve));
  };
}
