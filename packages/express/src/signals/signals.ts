import type { Meter, Tracer } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import type { BoundedExportQueue } from '../export/bounded-queue.js';

/** An export queue and what it carries where, for the telemetry's own metrics. */
export interface NamedQueue {
  readonly signal: 'logs' | 'traces';
  readonly destination: 'otlp' | 'file';
  readonly queue: BoundedExportQueue<unknown>;
}

/** The tracer, logger and meter the middleware writes to, and how to flush them. */
export interface Signals {
  readonly tracer: Tracer;
  readonly logger: Logger;
  readonly meter: Meter;
  /** The export queues behind them; empty when the application's providers are used. */
  readonly queues: readonly NamedQueue[];
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The instrumentation scope every signal is written under. */
export const SCOPE_NAME = '@inferlens/express';
