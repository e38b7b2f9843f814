import {
  METRIC_ACTIVE_REQUESTS,
  METRIC_BATCH_SIZE,
  METRIC_MODEL_EXECUTION_DURATION,
  METRIC_PAYLOAD_SIZE,
  METRIC_QUEUE_DEPTH,
  METRIC_RECORDS_DROPPED,
  METRIC_RECORDS_EXPORTED,
  METRIC_REQUEST_DURATION,
  METRIC_TELEMETRY_ERRORS,
} from '../semconv.js';

/**
 * How a backend sees a metric: a histogram; a counter (a monotonic sum,
 * Prometheus's `_total`); or a gauge (a level that goes up and down: an
 * up-down counter or an observed gauge).
 */
export type MetricKind = 'histogram' | 'counter' | 'gauge';

/** A metric's name, description, unit and kind, as both recorders write it. */
export interface MetricDefinition {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly kind: MetricKind;
}

/** A histogram's definition and its explicit bucket bounds. */
export interface HistogramDefinition extends MetricDefinition {
  readonly kind: 'histogram';
  readonly boundaries: readonly number[];
}

/**
 * Bucket bounds for durations in seconds: from half a millisecond (a small
 * model on CPU) to ten seconds (a large batch), denser than the SDK's
 * default buckets, which are made for milliseconds.
 */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
const PAYLOAD_SIZE_BUCKETS = [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216];

export const REQUEST_DURATION: HistogramDefinition = {
  name: METRIC_REQUEST_DURATION,
  description: 'Duration of predict calls, from the request to the last byte of the answer',
  unit: 's',
  kind: 'histogram',
  boundaries: DURATION_BUCKETS,
};
export const BATCH_SIZE: HistogramDefinition = {
  name: METRIC_BATCH_SIZE,
  description: 'Rows per predict call',
  unit: '{row}',
  kind: 'histogram',
  boundaries: BATCH_SIZE_BUCKETS,
};
export const PAYLOAD_SIZE: HistogramDefinition = {
  name: METRIC_PAYLOAD_SIZE,
  description: 'Size of predict request and response bodies',
  unit: 'By',
  kind: 'histogram',
  boundaries: PAYLOAD_SIZE_BUCKETS,
};
export const MODEL_EXECUTION_DURATION: HistogramDefinition = {
  name: METRIC_MODEL_EXECUTION_DURATION,
  description: 'Time spent in the model runtime, as the serving application reports it',
  unit: 's',
  kind: 'histogram',
  boundaries: DURATION_BUCKETS,
};
export const ACTIVE_REQUESTS: MetricDefinition = {
  name: METRIC_ACTIVE_REQUESTS,
  description: 'Predict calls in progress',
  unit: '{request}',
  kind: 'gauge',
};
export const TELEMETRY_ERRORS: MetricDefinition = {
  name: METRIC_TELEMETRY_ERRORS,
  description: 'Calls whose telemetry could not be recorded',
  unit: '{call}',
  kind: 'counter',
};
export const RECORDS_EXPORTED: MetricDefinition = {
  name: METRIC_RECORDS_EXPORTED,
  description: 'Telemetry records exported',
  unit: '{record}',
  kind: 'counter',
};
export const RECORDS_DROPPED: MetricDefinition = {
  name: METRIC_RECORDS_DROPPED,
  description: 'Telemetry records dropped: the export queue was full, or the export failed',
  unit: '{record}',
  kind: 'counter',
};
export const QUEUE_DEPTH: MetricDefinition = {
  name: METRIC_QUEUE_DEPTH,
  description: 'Telemetry records waiting for export',
  unit: '{record}',
  kind: 'gauge',
};

/** Every metric the middleware writes. */
export const METRIC_DEFINITIONS: readonly MetricDefinition[] = [
  REQUEST_DURATION,
  BATCH_SIZE,
  PAYLOAD_SIZE,
  MODEL_EXECUTION_DURATION,
  ACTIVE_REQUESTS,
  TELEMETRY_ERRORS,
  RECORDS_EXPORTED,
  RECORDS_DROPPED,
  QUEUE_DEPTH,
];
