import type { Attributes, Counter, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';
import { ATTR_PAYLOAD_DIRECTION, ATTR_PROTOCOL } from '../semconv.js';
import type { Protocol } from '../semconv.js';
import type { CallMeasurement, CallMetrics } from './call-metrics.js';
import { callAttributes } from './call-metrics.js';
import type { HistogramDefinition } from './descriptors.js';
import {
  ACTIVE_REQUESTS,
  BATCH_SIZE,
  MODEL_EXECUTION_DURATION,
  PAYLOAD_SIZE,
  REQUEST_DURATION,
  TELEMETRY_ERRORS,
} from './descriptors.js';

/** The attribute that tells a payload size's direction, one object for each, added to a call's attributes. */
const REQUEST_DIRECTION: Attributes = { [ATTR_PAYLOAD_DIRECTION]: 'request' };
const RESPONSE_DIRECTION: Attributes = { [ATTR_PAYLOAD_DIRECTION]: 'response' };

function histogram(meter: Meter, { name, description, unit, boundaries }: HistogramDefinition): Histogram {
  return meter.createHistogram(name, { description, unit, advice: { explicitBucketBoundaries: [...boundaries] } });
}

/**
 * The call metrics recorded through a meter's instruments: used with the
 * application's providers (`providers: 'global'`), whose views and readers
 * then apply as to any other instrument.
 */
export class InstrumentCallMetrics implements CallMetrics {
  readonly #duration: Histogram;
  readonly #active: UpDownCounter;
  readonly #batchSize: Histogram;
  readonly #payloadSize: Histogram;
  readonly #modelExecution: Histogram;
  readonly #telemetryErrors: Counter;
  readonly #protocolAttributes = new Map<Protocol, Attributes>();

  constructor(meter: Meter) {
    this.#duration = histogram(meter, REQUEST_DURATION);
    this.#batchSize = histogram(meter, BATCH_SIZE);
    this.#payloadSize = histogram(meter, PAYLOAD_SIZE);
    this.#modelExecution = histogram(meter, MODEL_EXECUTION_DURATION);
    this.#active = meter.createUpDownCounter(ACTIVE_REQUESTS.name, ACTIVE_REQUESTS);
    this.#telemetryErrors = meter.createCounter(TELEMETRY_ERRORS.name, TELEMETRY_ERRORS);
  }

  #byProtocol(protocol: Protocol): Attributes {
    let attributes = this.#protocolAttributes.get(protocol);
    if (attributes === undefined) this.#protocolAttributes.set(protocol, (attributes = { [ATTR_PROTOCOL]: protocol }));
    return attributes;
  }

  started(protocol: Protocol): void {
    this.#active.add(1, this.#byProtocol(protocol));
  }

  ended(measurement: CallMeasurement): void {
    const attributes = callAttributes(measurement);
    this.#active.add(-1, this.#byProtocol(measurement.protocol));
    this.#duration.record(measurement.durationSeconds, attributes);
    if (measurement.batchSize !== undefined) this.#batchSize.record(measurement.batchSize, attributes);
    if (measurement.requestBytes !== undefined)
      this.#payloadSize.record(measurement.requestBytes, Object.assign({}, attributes, REQUEST_DIRECTION));
    this.#payloadSize.record(measurement.responseBytes, Object.assign({}, attributes, RESPONSE_DIRECTION));
    if (measurement.modelExecutionSeconds !== undefined)
      this.#modelExecution.record(measurement.modelExecutionSeconds, attributes);
  }

  telemetryError(): void {
    this.#telemetryErrors.add(1);
  }
}
