import type { Context } from '@opentelemetry/api';
import { defaultTextMapGetter, isSpanContextValid, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3Propagator } from '@opentelemetry/propagator-b3';
import type { Request } from 'express';

/** The headers that can continue a caller's trace: W3C, B3 multi-header and B3 single-header. */
const TRACE_HEADERS = ['traceparent', 'x-b3-traceid', 'b3'] as const;

/** The propagator that reads a caller's trace from {@link TRACE_HEADERS}. */
export function tracePropagator(): CompositePropagator {
  // Each propagator's extraction overwrites the one before: W3C's goes last, so it wins when both kinds are sent.
  return new CompositePropagator({
    propagators: [new B3Propagator(), new W3CTraceContextPropagator()],
  });
}

/**
 * Continues the caller's trace: the active span when HTTP instrumentation
 * made one (the call's span is then its child), else W3C `traceparent` or
 * B3 headers read with `propagator` (the call's span is then the server
 * span). An active span with no trace, as instrumentation makes with the
 * API's no-op tracer, is no parent: the SDK would start a new trace below it.
 */
export function traceParent(req: Request, propagator: CompositePropagator): { context: Context; kind: SpanKind } {
  const active = trace.getActiveSpan();
  if (active !== undefined && isSpanContextValid(active.spanContext()))
    return { context: trace.setSpan(ROOT_CONTEXT, active), kind: SpanKind.INTERNAL };
  const { headers } = req;
  // Most calls carry no trace headers: skip the propagators' parsing for them.
  const traced = TRACE_HEADERS.some((name) => headers[name] !== undefined);
  return {
    context: traced ? propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter) : ROOT_CONTEXT,
    kind: SpanKind.SERVER,
  };
}
