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

/**
 * Samplers the specification lists that take their decisions from a remote
 * service; the middleware carries no client for one, so the default applies.
 */
const REMOTE_SAMPLER = `the middleware has no remote sampling client; ${DEFAULT_SAMPLER} applies`;
const UNSUPPORTED_SAMPLERS = {
  jaeger_remote: REMOTE_SAMPLER,
  parentbased_jaeger_remote: REMOTE_SAMPLER,
  xray: REMOTE_SAMPLER,
};
const DEFAULT_RATIO = 1;

/**
 * The trace sampler named by `OTEL_TRACES_SAMPLER` and
 * `OTEL_TRACES_SAMPLER_ARG`, with the specification's default.
 */
export function samplerFromEnv(env: EnvReader): Sampler {
  const name = env.choice('OTEL_TRACES_SAMPLER', SAMPLERS, UNSUPPORTED_SAMPLERS) ?? DEFAULT_SAMPLER;
  // Read for the ratio samplers only: the argument is each sampler's own (the Jaeger samplers' is a list of
  // settings). A ratio outside 0..1 is reported and ignored, as the SDK's own reading of the variable does.
  const ratio = (): number => env.number('OTEL_TRACES_SAMPLER_ARG', 0, { max: 1 }) ?? DEFAULT_RATIO;
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
