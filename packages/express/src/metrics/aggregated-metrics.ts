import type { Attributes, HrTime } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type {
  CollectionResult,
  DataPoint,
  MetricData,
  MetricDescriptor,
  MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { AggregationTemporality, DataPointType, InstrumentType } from '@opentelemetry/sdk-metrics';
import {
  ATTR_PAYLOAD_DIRECTION,
  ATTR_PROTOCOL,
  ATTR_TELEMETRY_DESTINATION,
  ATTR_TELEMETRY_SIGNAL,
} from '../semconv.js';
import type { Protocol } from '../semconv.js';
import type { NamedQueue } from '../signals/signals.js';
import type { CallMeasurement, CallMetrics } from './call-metrics.js';
import { callAttributes } from './call-metrics.js';
import type { HistogramDefinition, MetricDefinition } from './descriptors.js';
import {
  ACTIVE_REQUESTS,
  BATCH_SIZE,
  MODEL_EXECUTION_DURATION,
  PAYLOAD_SIZE,
  QUEUE_DEPTH,
  RECORDS_DROPPED,
  RECORDS_EXPORTED,
  REQUEST_DURATION,
  TELEMETRY_ERRORS,
} from './descriptors.js';
import { HistogramState } from './histogram-state.js';

/**
 * Attribute sets kept per metric, as the SDK's default
 * `aggregationCardinalityLimit`: past it, calls are counted under one
 * overflow set, `otel.metric.overflow: true`, so that model names read from
 * request paths cannot grow memory without bound.
 */
export const CARDINALITY_LIMIT = 2000;
const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });
const OVERFLOW_KEY = '\u0000overflow';

/** How the reader wants each kind of instrument aggregated over time (the exporter decides). */
export type TemporalitySelector = (instrumentType: InstrumentType) => AggregationTemporality;

/** Everything recorded for one attribute set (model, version, protocol, status, outcome). */
class CallSeries {
  readonly attributes: Attributes;
  readonly duration: HistogramState;
  /**
   * Made on the first request of known size (a series of chunked bodies no
   * parser kept has none, as with the SDK), or the payload overflow when
   * `inference.server.payload.size` has no room left for another set.
   */
  requestSize: HistogramState | undefined;
  /** Made on the first response, or the payload overflow, as `requestSize`. */
  responseSize: HistogramState | undefined;
  batchSize: HistogramState | undefined;
  modelExecution: HistogramState | undefined;

  constructor(attributes: Attributes, startTime: HrTime) {
    this.attributes = attributes;
    this.duration = new HistogramState(REQUEST_DURATION.boundaries, startTime);
  }

  /** The attributes of the payload sizes in one direction. */
  payloadAttributes(direction: PayloadDirection): Attributes {
    return Object.assign({}, this.attributes, { [ATTR_PAYLOAD_DIRECTION]: direction });
  }
}

type PayloadDirection = 'request' | 'response';

/**
 * A name in a series' key, its length first: names come from clients (a
 * path's `%00`, an OpenAI body's `model`), and without the length one
 * holding the separator, or none at all, would share another's key.
 */
function keyPart(name: string | undefined): string {
  return name === undefined ? '-' : `${name.length}:${name}`;
}

/**
 * Whether the application's value goes in a histogram. Others make no set
 * at all, as the SDK's histograms drop them before looking one up: a
 * negative value, and one that is no number (from plain JavaScript), which
 * would turn the sum into a string.
 */
function recordable(value: number | undefined): value is number {
  return typeof value === 'number' && !(value < 0);
}

function descriptor({ name, description, unit }: MetricDefinition): MetricDescriptor {
  return { name, description, unit, valueType: ValueType.DOUBLE };
}

/**
 * The call metrics of the middleware's own providers, aggregated here and
 * handed to the SDK's metric reader as a `MetricProducer`. A call costs one
 * map lookup and a few additions, where recording through the SDK's
 * instruments costs one attribute hashing per instrument; the metric data
 * the reader exports is the same (names, units, buckets, temporality).
 *
 * The export queues' own health (records exported, dropped, waiting) is read
 * from the queues when the reader collects.
 */
export class AggregatedCallMetrics implements CallMetrics, MetricProducer {
  readonly #resource: Resource;
  readonly #scope: { name: string; version: string };
  readonly #queues: readonly NamedQueue[];
  #temporality: TemporalitySelector = () => AggregationTemporality.CUMULATIVE;
  #series = new Map<string, CallSeries>();
  /**
   * `inference.server.payload.size` has its own attribute sets (a series'
   * two directions), counted against the limit on their own, as the SDK
   * counts each metric's; past it, both directions of new series go to one
   * overflow set.
   */
  #payloadSets = 0;
  #payloadOverflow: HistogramState | undefined;
  /** Calls in progress per protocol, and the level last reported (for delta temporality). */
  readonly #active = new Map<Protocol, { level: number; reported: number }>();
  #telemetryErrors = { total: 0, reported: 0 };
  /** Queue counts last reported, per queue, for delta temporality. */
  readonly #queueReported = new Map<NamedQueue, { exported: number; dropped: number }>();
  readonly #startTime: HrTime = millisToHrTime(Date.now());
  #lastCollection: HrTime = this.#startTime;

  constructor(resource: Resource, scope: { name: string; version: string }, queues: readonly NamedQueue[]) {
    this.#resource = resource;
    this.#scope = scope;
    this.#queues = queues;
  }

  /** Takes the temporality the reader's exporter asks for (cumulative until then). */
  useTemporality(selector: TemporalitySelector): void {
    this.#temporality = selector;
  }

  started(protocol: Protocol): void {
    const active = this.#active.get(protocol);
    if (active === undefined) this.#active.set(protocol, { level: 1, reported: 0 });
    else active.level++;
  }

  ended(measurement: CallMeasurement): void {
    const active = this.#active.get(measurement.protocol);
    if (active !== undefined) active.level--;
    const series = this.#seriesOf(measurement);
    series.duration.record(measurement.durationSeconds);
    if (measurement.requestBytes !== undefined)
      (series.requestSize ??= this.#payloadState()).record(measurement.requestBytes);
    (series.responseSize ??= this.#payloadState()).record(measurement.responseBytes);
    if (recordable(measurement.batchSize))
      (series.batchSize ??= new HistogramState(BATCH_SIZE.boundaries, this.#now())).record(measurement.batchSize);
    if (recordable(measurement.modelExecutionSeconds))
      (series.modelExecution ??= new HistogramState(MODEL_EXECUTION_DURATION.boundaries, this.#now())).record(
        measurement.modelExecutionSeconds,
      );
  }

  telemetryError(): void {
    this.#telemetryErrors.total++;
  }

  #now(): HrTime {
    return millisToHrTime(Date.now());
  }

  /** A new payload-size set, or the overflow one when the metric has no room left. */
  #payloadState(): HistogramState {
    if (this.#payloadSets >= CARDINALITY_LIMIT - 1)
      return (this.#payloadOverflow ??= new HistogramState(PAYLOAD_SIZE.boundaries, this.#now()));
    this.#payloadSets++;
    return new HistogramState(PAYLOAD_SIZE.boundaries, this.#now());
  }

  #seriesOf(measurement: CallMeasurement): CallSeries {
    // The outcome too: a call broken off after a 200 began is a failure with status 200.
    const key = `${measurement.protocol}\u0000${keyPart(measurement.model)}\u0000${keyPart(measurement.version)}\u0000${measurement.status}\u0000${measurement.failed}`;
    let series = this.#series.get(key);
    if (series !== undefined) return series;
    if (this.#series.size >= CARDINALITY_LIMIT - 1) {
      series = this.#series.get(OVERFLOW_KEY);
      if (series !== undefined) return series;
      series = new CallSeries(OVERFLOW_ATTRIBUTES, this.#now());
      this.#series.set(OVERFLOW_KEY, series);
      return series;
    }
    series = new CallSeries(callAttributes(measurement), this.#now());
    this.#series.set(key, series);
    return series;
  }

  /**
   * The metrics as they stand, once the resource's detected attributes have
   * settled: the SDK's Prometheus exporter, unlike its periodic reader,
   * does not wait for them before it writes the resource.
   */
  async collect(): Promise<CollectionResult> {
    if (this.#resource.asyncAttributesPending) await this.#resource.waitForAsyncAttributes?.();
    const endTime = this.#now();
    const metrics: MetricData[] = [
      ...this.#callMetrics(endTime),
      this.#activeMetric(endTime),
      ...this.#telemetryHealth(endTime),
    ].filter((metric) => metric.dataPoints.length > 0);
    this.#lastCollection = endTime;
    return {
      resourceMetrics: { resource: this.#resource, scopeMetrics: [{ scope: this.#scope, metrics }] },
      errors: [],
    };
  }

  #callMetrics(endTime: HrTime): MetricData[] {
    const temporality = this.#temporality(InstrumentType.HISTOGRAM);
    const series = [...this.#series.values()];
    const payloadOverflow = this.#payloadOverflow;
    // Delta: what was recorded since the last collection, then start afresh.
    if (temporality === AggregationTemporality.DELTA) {
      this.#series = new Map();
      this.#payloadSets = 0;
      this.#payloadOverflow = undefined;
    }
    const histogram = (
      definition: HistogramDefinition,
      points: [Attributes, HistogramState | undefined][],
    ): MetricData => ({
      descriptor: descriptor(definition),
      aggregationTemporality: temporality,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: points
        .filter((point): point is [Attributes, HistogramState] => point[1] !== undefined)
        .map(([attributes, state]) => this.#point(attributes, state.value(), state.startTime, endTime, temporality)),
    });
    return [
      histogram(
        REQUEST_DURATION,
        series.map((s) => [s.attributes, s.duration]),
      ),
      histogram(PAYLOAD_SIZE, [
        ...series.flatMap((s): [Attributes, HistogramState | undefined][] => [
          [s.payloadAttributes('request'), s.requestSize === payloadOverflow ? undefined : s.requestSize],
          [s.payloadAttributes('response'), s.responseSize === payloadOverflow ? undefined : s.responseSize],
        ]),
        [OVERFLOW_ATTRIBUTES, payloadOverflow],
      ]),
      histogram(
        BATCH_SIZE,
        series.map((s) => [s.attributes, s.batchSize]),
      ),
      histogram(
        MODEL_EXECUTION_DURATION,
        series.map((s) => [s.attributes, s.modelExecution]),
      ),
    ];
  }

  #activeMetric(endTime: HrTime): MetricData {
    const temporality = this.#temporality(InstrumentType.UP_DOWN_COUNTER);
    const dataPoints = [...this.#active].map(([protocol, active]) => {
      const value = temporality === AggregationTemporality.DELTA ? active.level - active.reported : active.level;
      active.reported = active.level;
      return this.#point({ [ATTR_PROTOCOL]: protocol }, value, this.#startTime, endTime, temporality);
    });
    return {
      descriptor: descriptor(ACTIVE_REQUESTS),
      aggregationTemporality: temporality,
      dataPointType: DataPointType.SUM,
      isMonotonic: false,
      dataPoints,
    };
  }

  /** The telemetry's own health: calls it could not record, and each export queue's counts. */
  #telemetryHealth(endTime: HrTime): MetricData[] {
    const counterTemporality = this.#temporality(InstrumentType.COUNTER);
    const observedTemporality = this.#temporality(InstrumentType.OBSERVABLE_COUNTER);
    const delta = (total: number, reported: number, temporality: AggregationTemporality): number =>
      temporality === AggregationTemporality.DELTA ? total - reported : total;
    const sum = (
      definition: MetricDefinition,
      temporality: AggregationTemporality,
      dataPoints: DataPoint<number>[],
    ) => ({
      descriptor: descriptor(definition),
      aggregationTemporality: temporality,
      dataPointType: DataPointType.SUM as const,
      isMonotonic: true,
      dataPoints,
    });

    const errors = this.#telemetryErrors;
    // Like the SDK: no point for a counter nothing was added to (in the interval, under delta).
    const errorsToReport = delta(errors.total, errors.reported, counterTemporality);
    const errorPoints =
      errorsToReport === 0 ? [] : [this.#point({}, errorsToReport, this.#startTime, endTime, counterTemporality)];
    errors.reported = errors.total;

    const exported: DataPoint<number>[] = [];
    const dropped: DataPoint<number>[] = [];
    const depth: DataPoint<number>[] = [];
    for (const named of this.#queues) {
      const { signal, destination, queue } = named;
      const attributes = { [ATTR_TELEMETRY_SIGNAL]: signal, [ATTR_TELEMETRY_DESTINATION]: destination };
      const reported = this.#queueReported.get(named) ?? { exported: 0, dropped: 0 };
      const lost = queue.dropped + queue.failed;
      exported.push(
        this.#point(
          attributes,
          delta(queue.exported, reported.exported, observedTemporality),
          this.#startTime,
          endTime,
          observedTemporality,
        ),
      );
      dropped.push(
        this.#point(
          attributes,
          delta(lost, reported.dropped, observedTemporality),
          this.#startTime,
          endTime,
          observedTemporality,
        ),
      );
      depth.push(this.#point(attributes, queue.depth, endTime, endTime, AggregationTemporality.CUMULATIVE));
      this.#queueReported.set(named, { exported: queue.exported, dropped: lost });
    }
    return [
      sum(TELEMETRY_ERRORS, counterTemporality, errorPoints),
      sum(RECORDS_EXPORTED, observedTemporality, exported),
      sum(RECORDS_DROPPED, observedTemporality, dropped),
      {
        descriptor: descriptor(QUEUE_DEPTH),
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints: depth,
      },
    ];
  }

  /** A data point; under delta temporality it starts where the last collection ended. */
  #point<T>(
    attributes: Attributes,
    value: T,
    startTime: HrTime,
    endTime: HrTime,
    temporality: AggregationTemporality,
  ): DataPoint<T> {
    const start = temporality === AggregationTemporality.DELTA ? this.#lastCollection : startTime;
    return { attributes, value, startTime: start, endTime };
  }
}
