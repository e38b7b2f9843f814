import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { Logger, LogRecord } from '@opentelemetry/api-logs';
import type { InstrumentationScope } from '@opentelemetry/core';
import { timeInputToHrTime } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** Where a finished record goes: an export queue. */
export interface LogRecordSink {
  push(record: ReadableLogRecord): void;
}

/**
 * The logger of the middleware's own providers: each record is built once,
 * as the read-only record the SDK's exporters take, and handed to the export
 * queues. It stands where an SDK `LoggerProvider`'s logger would, without
 * the mutable record the SDK builds for its processors to change (nothing
 * here changes records), attribute copies and per-record checks: about a
 * tenth of the cost per record. The middleware's attributes are its own,
 * bounded and valid; bodies are capped by `maxPayloadBytes`.
 */
export class QueueingLogger implements Logger {
  readonly #resource: Resource;
  readonly #scope: InstrumentationScope;
  readonly #sinks: readonly LogRecordSink[];

  constructor(resource: Resource, scope: InstrumentationScope, sinks: readonly LogRecordSink[]) {
    this.#resource = resource;
    this.#scope = scope;
    this.#sinks = sinks;
  }

  emit(record: LogRecord): void {
    if (this.#sinks.length === 0) return;
    const now = timeInputToHrTime(Date.now());
    const spanContext = record.context === undefined ? undefined : trace.getSpanContext(record.context);
    const readable: ReadableLogRecord = {
      hrTime: record.timestamp === undefined ? now : timeInputToHrTime(record.timestamp),
      hrTimeObserved: now,
      spanContext: spanContext !== undefined && isSpanContextValid(spanContext) ? spanContext : undefined,
      severityText: record.severityText,
      severityNumber: record.severityNumber,
      body: record.body,
      eventName: record.eventName,
      resource: this.#resource,
      instrumentationScope: this.#scope,
      attributes: record.attributes ?? {},
      droppedAttributesCount: 0,
    };
    for (const sink of this.#sinks) sink.push(readable);
  }

  enabled(): boolean {
    return this.#sinks.length > 0;
  }
}
