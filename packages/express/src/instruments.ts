import type { Counter, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';
import {
  ATTR_TELEMETRY_DESTINATION,
  ATTR_TELEMETRY_SIGNAL,
  METRIC_ACTIVE_REQUESTS,
  METRIC_BATCH_SIZE,
  METRIC_MODEL_EXECUTION_DURATION,
  METRIC_PAYLOAD_SIZE,
  METRIC_QUEUE_DEPTH,
  METRIC_RECORDS_DROPPED,
  METRIC_RECORDS_EXPORTED,
  METRIC_REQUEST_DURATION,
  METRIC_TELEMETRY_ERRORS,
} from './semconv.js';
import type { NamedQueue } from './signals/signals.js';

/**
 * Bucket bounds for durations in seconds: from half a millisecond (a small
 * model on CPU) to ten seconds (a large batch), denser than the SDK's
 * default buckets, which are made for milliseconds.
 */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
const PAYLOAD_SIZE_BUCKETS = [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216];

/** The instruments one call records into. */
export interface Instruments {
  readonly duration: Histogram;
  readonly active: UpDownCounter;
  readonly batchSize: Histogram;
  readonly payloadSize: Histogram;
  readonly modelExecution: Histogram;
  /** Payload records that could not be written at all (a failure inside the telemetry). */
  readonly telemetryErrors: Counter;
}

/**
 * Creates the call instruments, and observes the export queues' own health:
 * records exported and dropped, and how many wait, per signal and
 * destination.
 */
export function createInstruments(meter: Meter, queues: readonly NamedQueue[]): Instruments {
  const exported = meter.createObservableCounter(METRIC_RECORDS_EXPORTED, {
    description: 'Telemetry records exported',
    unit: '{record}',
  });
  const dropped = meter.createObservableCounter(METRIC_RECORDS_DROPPED, {
    description: 'Telemetry records dropped: the export queue was full, or the export failed',
    unit: '{record}',
  });
  const depth = meter.createObservableGauge(METRIC_QUEUE_DEPTH, {
    description: 'Telemetry records waiting for export',
    unit: '{record}',
  });
  meter.addBatchObservableCallback(
    (observer) => {
      for (const { signal, destination, queue } of queues) {
        const attributes = { [ATTR_TELEMETRY_SIGNAL]: signal, [ATTR_TELEMETRY_DESTINATION]: destination };
        observer.observe(exported, queue.exported, attributes);
        observer.observe(dropped, queue.dropped + queue.failed, attributes);
        observer.observe(depth, queue.depth, attributes);
      }
    },
    [exported, dropped, depth],
  );
  return {
    duration: meter.createHistogram(METRIC_REQUEST_DURATION, {
      description: 'Duration of predict calls, from the request to the last byte of the answer',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    active: meter.createUpDownCounter(METRIC_ACTIVE_REQUESTS, {
      description: 'Predict calls in progress',
      unit: '{request}',
    }),
    batchSize: meter.createHistogram(METRIC_BATCH_SIZE, {
      description: 'Rows per predict call',
      unit: '{row}',
      advice: { explicitBucketBoundaries: BATCH_SIZE_BUCKETS },
    }),
    payloadSize: meter.createHistogram(METRIC_PAYLOAD_SIZE, {
      description: 'Size of predict request and response bodies',
      unit: 'By',
      advice: { explicitBucketBoundaries: PAYLOAD_SIZE_BUCKETS },
    }),
    modelExecution: meter.createHistogram(METRIC_MODEL_EXECUTION_DURATION, {
      description: 'Time spent in the model runtime, as the serving application reports it',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    telemetryErrors: meter.createCounter(METRIC_TELEMETRY_ERRORS, {
      description: 'Calls whose telemetry could not be recorded',
      unit: '{call}',
    }),
  };
}
