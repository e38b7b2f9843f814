import { trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { GlobalCallMetrics } from '../metrics/global-metrics.js';
import type { Signals } from './signals.js';
import { SCOPE_NAME } from './signals.js';
import { PACKAGE_VERSION } from '../version.js';

/**
 * The providers the application registered with the OpenTelemetry API (for
 * example with NodeSDK). Their exporters, sampler and resource apply;
 * flushing and shutting them down is the application's business.
 */
export function globalSignals(): Signals {
  return {
    tracer: trace.getTracer(SCOPE_NAME, PACKAGE_VERSION),
    logger: logs.getLogger(SCOPE_NAME, PACKAGE_VERSION),
    metrics: new GlobalCallMetrics({ name: SCOPE_NAME, version: PACKAGE_VERSION }),
    prometheusUrl: Promise.resolve(undefined),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
