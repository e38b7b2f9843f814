import type { ResourceDetector } from '@opentelemetry/resources';
import { hostDetector, osDetector, processDetector, serviceInstanceIdDetector } from '@opentelemetry/resources';
import type { EnvReader } from '../env.js';
import type { ResourceDetectorName } from '../types.js';
import { fail } from './option-checks.js';

/** The SDK's detectors, by the names NodeSDK gives them, in the order it runs them. */
export const RESOURCE_DETECTORS: Readonly<Record<ResourceDetectorName, ResourceDetector>> = {
  host: hostDetector,
  os: osDetector,
  serviceinstance: serviceInstanceIdDetector,
  process: processDetector,
};

/** Every detector's name: the default. */
const RESOURCE_DETECTOR_NAMES = Object.keys(RESOURCE_DETECTORS) as readonly ResourceDetectorName[];

const VARIABLE = 'OTEL_NODE_RESOURCE_DETECTORS';

/**
 * Names OTEL_NODE_RESOURCE_DETECTORS may hold besides the detectors: `all`
 * and `none`, and NodeSDK's `env`, which changes nothing here since
 * OTEL_RESOURCE_ATTRIBUTES is always read, as the specification asks.
 */
const ENV_ONLY_NAMES = ['all', 'none', 'env'];

function isDetectorName(name: string): name is ResourceDetectorName {
  return (RESOURCE_DETECTOR_NAMES as readonly string[]).includes(name);
}

/** The detectors named in code: an array of their names, each once. */
function checkDetectors(names: readonly ResourceDetectorName[] | undefined): ResourceDetectorName[] | undefined {
  if (names === undefined) return undefined;
  const expected = `an array of ${RESOURCE_DETECTOR_NAMES.join(', ')}`;
  if (!Array.isArray(names)) fail('resourceDetectors', expected, names);
  const unknown = names.filter((name) => typeof name !== 'string' || !isDetectorName(name));
  if (unknown.length > 0) fail('resourceDetectors', expected, unknown);
  return [...new Set<ResourceDetectorName>(names)];
}

/**
 * The detectors in OTEL_NODE_RESOURCE_DETECTORS, read as NodeSDK reads it:
 * `all` wins over anything beside it, then `none`; a name it does not know
 * is skipped, with a warning, and the others kept.
 */
function detectorsFromEnv(env: EnvReader): ResourceDetectorName[] | undefined {
  const names = env.list(VARIABLE);
  if (names === undefined) return undefined;
  const unknown = names.filter((name) => !isDetectorName(name) && !ENV_ONLY_NAMES.includes(name));
  if (unknown.length > 0) {
    env.ignored(
      VARIABLE,
      `${unknown.join(', ')} skipped: expected ${[...RESOURCE_DETECTOR_NAMES, ...ENV_ONLY_NAMES].join(', ')}`,
    );
  }
  if (names.includes('all')) return [...RESOURCE_DETECTOR_NAMES];
  if (names.includes('none')) return [];
  return names.filter(isDetectorName);
}

/** The own providers' resource detectors: `resourceDetectors`, else OTEL_NODE_RESOURCE_DETECTORS, else all. */
export function resolveResourceDetectors(
  option: readonly ResourceDetectorName[] | undefined,
  env: EnvReader,
): readonly ResourceDetectorName[] {
  return checkDetectors(option) ?? detectorsFromEnv(env) ?? RESOURCE_DETECTOR_NAMES;
}
