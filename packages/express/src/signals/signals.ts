import type { Tracer } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import type { BoundedExportQueue } from '../export/bounded-queue.js';
import type { CallMetrics } from '../metrics/call-metrics.js';

/** An export queue and what it carries where, for the telemetry's own metrics. */
export interface NamedQueue {
  readonly signal: 'logs' | 'traces';
  readonly destination: 'otlp' | 'file';
  readonly queue: BoundedExportQueue<unknown>;
}

/** The tracer, logger and call metrics the middleware writes to, and how to flush them. */
export interface Signals {
  readonly tracer: Tracer;
  readonly logger: Logger;
  readonly metrics: CallMetrics;
  /** The Prometheus scrape URL once it listens; undefined when there is none. */
  readonly prometheusUrl: Promise<string | undefined>;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The instrumentation scope every signal is written under. */
export const SCOPE_NAME = '@inferlens/express';
