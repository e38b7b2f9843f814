import { ROOT_CONTEXT } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';

/**
 * The payload sampling decision, made by OpenTelemetry's own
 * TraceIdRatioBasedSampler on the trace id. A trace sampler with the same
 * ratio or a higher one samples every trace whose payload is kept.
 */
export function payloadSampler(ratio: number): (traceId: string) => boolean {
  if (ratio >= 1) return () => true;
  const sampler = new TraceIdRatioBasedSampler(ratio);
  return (traceId) => sampler.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
}
