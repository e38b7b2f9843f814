import type { Sampler } from '@opentelemetry/sdk-trace';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import type { EnvReader } from '../env.js';

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/** The specification's default: follow the caller's decision, sample every new trace. */
const DEFAULT_SAMPLER = 'parentbased_always_on';
const DEFAULT_RATIO = 1;

/**
 * The trace sampler named by `OTEL_TRACES_SAMPLER` and
 * `OTEL_TRACES_SAMPLER_ARG`, with the specification's default.
 */
export function samplerFromEnv(env: EnvReader): Sampler {
  const name = env.choice('OTEL_TRACES_SAMPLER', SAMPLERS) ?? DEFAULT_SAMPLER;
  const ratio = Math.min(env.number('OTEL_TRACES_SAMPLER_ARG', 0) ?? DEFAULT_RATIO, 1);
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
