import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_OUTCOME,
  ATTR_PROTOCOL,
  OUTCOME,
} from '../semconv.js';
import type { Protocol } from '../semconv.js';

/** What one finished call contributes to the metrics. */
export interface CallMeasurement {
  readonly protocol: Protocol;
  readonly model: string | undefined;
  readonly version: string | undefined;
  readonly status: number;
  readonly failed: boolean;
  readonly durationSeconds: number;
  readonly batchSize: number | undefined;
  /** Undefined when the request's size is not known (a chunked body no parser kept). */
  readonly requestBytes: number | undefined;
  readonly responseBytes: number;
  readonly modelExecutionSeconds: number | undefined;
}

/**
 * Where calls are counted. Metrics are never sampled: every call starts and
 * ends here exactly once.
 */
export interface CallMetrics {
  /** A call began: one more in progress. */
  started(protocol: Protocol): void;
  /** A call ended: one fewer in progress, and its duration, sizes and batch recorded. */
  ended(measurement: CallMeasurement): void;
  /** A call's telemetry could not be recorded. */
  telemetryError(): void;
}

/** The attributes a call's duration, sizes and batch are recorded under. */
export function callAttributes(measurement: CallMeasurement): Attributes {
  const attributes: Attributes = {
    [ATTR_PROTOCOL]: measurement.protocol,
    [ATTR_OUTCOME]: measurement.failed ? OUTCOME.ERROR : OUTCOME.SUCCESS,
    [ATTR_HTTP_RESPONSE_STATUS_CODE]: measurement.status,
  };
  if (measurement.model !== undefined) attributes[ATTR_MODEL_NAME] = measurement.model;
  if (measurement.version !== undefined) attributes[ATTR_MODEL_VERSION] = measurement.version;
  return attributes;
}
