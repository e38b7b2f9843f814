import type { HrTime } from '@opentelemetry/api';
import { INVALID_TRACEID, ROOT_CONTEXT } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';

/**
 * The payload sampling decision, made by OpenTelemetry's own
 * TraceIdRatioBasedSampler on the trace id. A trace sampler with the same
 * ratio or a higher one samples every trace whose payload is kept. A call
 * with no trace (the invalid trace id: no tracer provider, and no caller's
 * trace) has no id to decide from, and is kept with probability `ratio`.
 */
export function payloadSampler(ratio: number): (traceId: string) => boolean {
  if (ratio >= 1) return () => true;
  const sampler = new TraceIdRatioBasedSampler(ratio);
  return (traceId) =>
    traceId === INVALID_TRACEID
      ? Math.random() < ratio
      : sampler.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
}

/**
 * Whether a call that lasted `duration` is slower than `thresholdMs`, which
 * keeps its payload records and its span whatever the sampling. The records
 * and the span processor both ask this of the same measured duration (the
 * span ends at its start plus that duration, to the nanosecond), so that a
 * call near the threshold keeps both or neither.
 */
export function slowCall(duration: HrTime, thresholdMs: number): boolean {
  return hrTimeToMilliseconds(duration) > thresholdMs;
}
