import type { Context } from '@opentelemetry/api';
import { defaultTextMapGetter, isSpanContextValid, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3Propagator } from '@opentelemetry/propagator-b3';
import type { IncomingHttpHeaders } from 'node:http';

/** The trace a call's span continues: the parent's context, and the span's kind below it. */
export interface CallParent {
  readonly context: Context;
  readonly kind: SpanKind;
}

/** The propagator that reads a caller's trace: W3C `traceparent`, B3 multi-header (`x-b3-*`) and B3 single-header (`b3`). */
export function tracePropagator(): CompositePropagator {
  // Each propagator's extraction overwrites the one before: W3C's goes last, so it wins when both kinds are sent.
  return new CompositePropagator({
    propagators: [new B3Propagator(), new W3CTraceContextPropagator()],
  });
}

/**
 * Continues the caller's trace: the active span when HTTP instrumentation
 * made one (the call's span is then its child), else W3C `traceparent` or
 * B3 headers among the request's `headers`, read with `propagator` (the
 * call's span is then the server span). An active span with no trace, as
 * instrumentation makes with the API's no-op tracer, is no parent: the SDK
 * would start a new trace below it.
 */
export function traceParent(headers: IncomingHttpHeaders, propagator: CompositePropagator): CallParent {
  const active = trace.getActiveSpan();
  if (active !== undefined && isSpanContextValid(active.spanContext()))
    return { context: trace.setSpan(ROOT_CONTEXT, active), kind: SpanKind.INTERNAL };
  // Most calls carry none of the propagators' headers: their parsing is skipped then.
  const traced = headers.traceparent !== undefined || headers['x-b3-traceid'] !== undefined || headers.b3 !== undefined;
  return {
    context: traced ? propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter) : ROOT_CONTEXT,
    kind: SpanKind.SERVER,
  };
}
