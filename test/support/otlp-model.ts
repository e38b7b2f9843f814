/**
 * The normalised shapes of OTLP export requests (what the receiver decodes, whichever encoding
 * arrived) and the flat views tests assert on.
 *
 * Normalised request = the proto3 JSON mapping of the message, with every scalar field present:
 * field names in lowerCamelCase, 64-bit integers (timestamps, `intValue`, `asInt`, counts) as
 * decimal strings, enums as numbers, trace and span ids as lowercase hex ('' when unset),
 * other bytes as base64; unset message fields are absent.
 */

/** A signal and its OTLP/HTTP path. */
export type OtlpSignal = 'logs' | 'traces' | 'metrics';

/** OTLP `AnyValue`; exactly one member is set, none for an empty value. */
export interface OtlpAnyValue {
  readonly stringValue?: string;
  readonly boolValue?: boolean;
  /** int64, as a decimal string. */
  readonly intValue?: string;
  readonly doubleValue?: number;
  readonly arrayValue?: { readonly values: readonly OtlpAnyValue[] };
  readonly kvlistValue?: { readonly values: readonly OtlpKeyValue[] };
  /** base64. */
  readonly bytesValue?: string;
}

export interface OtlpKeyValue {
  readonly key: string;
  readonly value?: OtlpAnyValue;
}

export interface OtlpResource {
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
}

export interface OtlpInstrumentationScope {
  readonly name: string;
  readonly version: string;
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
}

export interface OtlpLogRecord {
  readonly timeUnixNano: string;
  readonly observedTimeUnixNano: string;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body?: OtlpAnyValue;
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
  readonly flags: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly eventName: string;
}

/** opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest */
export interface ExportLogsServiceRequest {
  readonly resourceLogs: readonly {
    readonly resource?: OtlpResource;
    readonly schemaUrl: string;
    readonly scopeLogs: readonly {
      readonly scope?: OtlpInstrumentationScope;
      readonly schemaUrl: string;
      readonly logRecords: readonly OtlpLogRecord[];
    }[];
  }[];
}

export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string;
  readonly parentSpanId: string;
  readonly flags: number;
  readonly name: string;
  /** OTLP SpanKind: see {@link OTLP_SPAN_KIND} (not the API's `SpanKind`, which is one lower). */
  readonly kind: number;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly attributes: readonly OtlpKeyValue[];
  readonly droppedAttributesCount: number;
  readonly events: readonly {
    readonly timeUnixNano: string;
    readonly name: string;
    readonly attributes: readonly OtlpKeyValue[];
    readonly droppedAttributesCount: number;
  }[];
  readonly droppedEventsCount: number;
  readonly links: readonly {
    readonly traceId: string;
    readonly spanId: string;
    readonly traceState: string;
    readonly attributes: readonly OtlpKeyValue[];
    readonly droppedAttributesCount: number;
    readonly flags: number;
  }[];
  readonly droppedLinksCount: number;
  readonly status?: { readonly message: string; readonly code: number };
}

/** opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest */
export interface ExportTraceServiceRequest {
  readonly resourceSpans: readonly {
    readonly resource?: OtlpResource;
    readonly schemaUrl: string;
    readonly scopeSpans: readonly {
      readonly scope?: OtlpInstrumentationScope;
      readonly schemaUrl: string;
      readonly spans: readonly OtlpSpan[];
    }[];
  }[];
}

interface OtlpDataPointBase {
  readonly attributes: readonly OtlpKeyValue[];
  readonly startTimeUnixNano: string;
  readonly timeUnixNano: string;
  readonly flags: number;
}

export interface OtlpNumberDataPoint extends OtlpDataPointBase {
  readonly asDouble?: number;
  /** int64, as a decimal string. */
  readonly asInt?: string;
}

export interface OtlpHistogramDataPoint extends OtlpDataPointBase {
  readonly count: string;
  readonly sum?: number;
  readonly min?: number;
  readonly max?: number;
  readonly bucketCounts: readonly string[];
  readonly explicitBounds: readonly number[];
}

export interface OtlpExponentialHistogramDataPoint extends OtlpDataPointBase {
  readonly count: string;
  readonly sum?: number;
  readonly min?: number;
  readonly max?: number;
  readonly scale: number;
  readonly zeroCount: string;
  readonly positive?: { readonly offset: number; readonly bucketCounts: readonly string[] };
  readonly negative?: { readonly offset: number; readonly bucketCounts: readonly string[] };
}

export interface OtlpSummaryDataPoint extends OtlpDataPointBase {
  readonly count: string;
  readonly sum: number;
  readonly quantileValues: readonly { readonly quantile: number; readonly value: number }[];
}

export interface OtlpMetric {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly gauge?: { readonly dataPoints: readonly OtlpNumberDataPoint[] };
  readonly sum?: {
    readonly dataPoints: readonly OtlpNumberDataPoint[];
    readonly aggregationTemporality: number;
    readonly isMonotonic: boolean;
  };
  readonly histogram?: {
    readonly dataPoints: readonly OtlpHistogramDataPoint[];
    readonly aggregationTemporality: number;
  };
  readonly exponentialHistogram?: {
    readonly dataPoints: readonly OtlpExponentialHistogramDataPoint[];
    readonly aggregationTemporality: number;
  };
  readonly summary?: { readonly dataPoints: readonly OtlpSummaryDataPoint[] };
}

/** opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest */
export interface ExportMetricsServiceRequest {
  readonly resourceMetrics: readonly {
    readonly resource?: OtlpResource;
    readonly schemaUrl: string;
    readonly scopeMetrics: readonly {
      readonly scope?: OtlpInstrumentationScope;
      readonly schemaUrl: string;
      readonly metrics: readonly OtlpMetric[];
    }[];
  }[];
}

/** The request message of each signal. */
export interface ExportRequestBySignal {
  readonly logs: ExportLogsServiceRequest;
  readonly traces: ExportTraceServiceRequest;
  readonly metrics: ExportMetricsServiceRequest;
}

/** OTLP `Span.SpanKind` values (the API's `SpanKind` + 1). */
export const OTLP_SPAN_KIND = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

/** OTLP `AggregationTemporality` values. */
export const OTLP_TEMPORALITY = { UNSPECIFIED: 0, DELTA: 1, CUMULATIVE: 2 } as const;

// ---------------------------------------------------------------------------------------------
// Flat views

/**
 * An `AnyValue` as plain JS: string, boolean, number (int64 beyond 2^53 stays a decimal string),
 * array, object (kvlist), Buffer (bytes), null (empty value).
 */
export type PlainValue = string | number | boolean | null | Buffer | readonly PlainValue[] | PlainAttributes;

/** Attributes as a plain map from key to unwrapped value. */
export interface PlainAttributes {
  readonly [key: string]: PlainValue;
}

/** An instrumentation scope with its attributes unwrapped. */
export interface ReceivedScope {
  readonly name: string;
  readonly version: string;
  readonly attributes: PlainAttributes;
}

/** One log record with its resource and scope. */
export interface ReceivedLogRecord {
  /** The resource's attributes. */
  readonly resource: PlainAttributes;
  readonly scope: ReceivedScope;
  readonly timeUnixNano: string;
  readonly observedTimeUnixNano: string;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly eventName: string;
  /** A string body as the string; any other body as plain JS; undefined when there is none. */
  readonly body: PlainValue | undefined;
  readonly attributes: PlainAttributes;
  readonly droppedAttributesCount: number;
  /** Lowercase hex; '' outside a span. */
  readonly traceId: string;
  readonly spanId: string;
  readonly flags: number;
}

/** One span with its resource and scope. */
export interface ReceivedSpan {
  readonly resource: PlainAttributes;
  readonly scope: ReceivedScope;
  readonly name: string;
  /** OTLP SpanKind ({@link OTLP_SPAN_KIND}). */
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly flags: number;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  /** Code 0 unset, 1 ok, 2 error (same numbers as the API's `SpanStatusCode`). */
  readonly status: { readonly code: number; readonly message: string };
  readonly attributes: PlainAttributes;
  readonly droppedAttributesCount: number;
  readonly events: readonly {
    readonly name: string;
    readonly timeUnixNano: string;
    readonly attributes: PlainAttributes;
    readonly droppedAttributesCount: number;
  }[];
  readonly links: readonly {
    readonly traceId: string;
    readonly spanId: string;
    readonly attributes: PlainAttributes;
  }[];
}

/** The kinds of metric data. */
export type MetricDataType = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';

/**
 * One data point. `value` for gauges and sums (asInt or asDouble, as a number); `count`, `sum`,
 * `min`, `max`, `bucketCounts`, `explicitBounds` for histograms (`count` and `sum` for summaries).
 */
export interface ReceivedDataPoint {
  readonly attributes: PlainAttributes;
  readonly startTimeUnixNano: string;
  readonly timeUnixNano: string;
  readonly value?: number;
  readonly count?: number;
  readonly sum?: number;
  readonly min?: number;
  readonly max?: number;
  readonly bucketCounts?: readonly number[];
  readonly explicitBounds?: readonly number[];
}

/** One metric with its resource and scope. */
export interface ReceivedMetric {
  readonly resource: PlainAttributes;
  readonly scope: ReceivedScope;
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly type: MetricDataType;
  /** For sums and histograms: {@link OTLP_TEMPORALITY}. */
  readonly aggregationTemporality?: number;
  /** For sums. */
  readonly isMonotonic?: boolean;
  readonly dataPoints: readonly ReceivedDataPoint[];
}

/** An int64 decimal string as a number, or as the string when a double would round it. */
function int64Value(decimal: string): number | string {
  const value = Number(decimal);
  return Number.isSafeInteger(value) ? value : decimal;
}

/** An int64 that tests count with (counts, bucket counts) as a number. */
function count(decimal: string): number {
  return Number(decimal);
}

/** Unwraps an `AnyValue` into plain JS (see {@link PlainValue}). */
function plainValue(value: OtlpAnyValue | undefined): PlainValue {
  if (value === undefined) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return int64Value(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return value.arrayValue.values.map(plainValue);
  if (value.kvlistValue !== undefined) return plainAttributes(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return Buffer.from(value.bytesValue, 'base64');
  return null;
}

/** Turns a list of `KeyValue` into a plain map. */
function plainAttributes(attributes: readonly OtlpKeyValue[] | undefined): PlainAttributes {
  const out: Record<string, PlainValue> = {};
  for (const { key, value } of attributes ?? []) out[key] = plainValue(value);
  return out;
}

function plainScope(scope: OtlpInstrumentationScope | undefined): ReceivedScope {
  return { name: scope?.name ?? '', version: scope?.version ?? '', attributes: plainAttributes(scope?.attributes) };
}

/** Flattens logs requests into their log records. */
export function flattenLogs(requests: readonly ExportLogsServiceRequest[]): ReceivedLogRecord[] {
  return requests.flatMap((request) =>
    request.resourceLogs.flatMap(({ resource, scopeLogs }) =>
      scopeLogs.flatMap(({ scope, logRecords }) =>
        logRecords.map((record) => toLogRecord(record, plainAttributes(resource?.attributes), plainScope(scope))),
      ),
    ),
  );
}

function toLogRecord(record: OtlpLogRecord, resource: PlainAttributes, scope: ReceivedScope): ReceivedLogRecord {
  return {
    resource,
    scope,
    timeUnixNano: record.timeUnixNano,
    observedTimeUnixNano: record.observedTimeUnixNano,
    severityNumber: record.severityNumber,
    severityText: record.severityText,
    eventName: record.eventName,
    body: record.body === undefined ? undefined : plainValue(record.body),
    attributes: plainAttributes(record.attributes),
    droppedAttributesCount: record.droppedAttributesCount,
    traceId: record.traceId,
    spanId: record.spanId,
    flags: record.flags,
  };
}

/** Flattens trace requests into their spans. */
export function flattenSpans(requests: readonly ExportTraceServiceRequest[]): ReceivedSpan[] {
  return requests.flatMap((request) =>
    request.resourceSpans.flatMap(({ resource, scopeSpans }) =>
      scopeSpans.flatMap(({ scope, spans }) =>
        spans.map((span) => toSpan(span, plainAttributes(resource?.attributes), plainScope(scope))),
      ),
    ),
  );
}

function toSpan(span: OtlpSpan, resource: PlainAttributes, scope: ReceivedScope): ReceivedSpan {
  return {
    resource,
    scope,
    name: span.name,
    kind: span.kind,
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    traceState: span.traceState,
    flags: span.flags,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
    attributes: plainAttributes(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((event) => ({
      name: event.name,
      timeUnixNano: event.timeUnixNano,
      attributes: plainAttributes(event.attributes),
      droppedAttributesCount: event.droppedAttributesCount,
    })),
    links: span.links.map((link) => ({
      traceId: link.traceId,
      spanId: link.spanId,
      attributes: plainAttributes(link.attributes),
    })),
  };
}

/** Flattens metrics requests into their metrics. */
export function flattenMetrics(requests: readonly ExportMetricsServiceRequest[]): ReceivedMetric[] {
  return requests.flatMap((request) =>
    request.resourceMetrics.flatMap(({ resource, scopeMetrics }) =>
      scopeMetrics.flatMap(({ scope, metrics }) =>
        metrics.map((metric) => toMetric(metric, plainAttributes(resource?.attributes), plainScope(scope))),
      ),
    ),
  );
}

function toMetric(metric: OtlpMetric, resource: PlainAttributes, scope: ReceivedScope): ReceivedMetric {
  const common = { resource, scope, name: metric.name, unit: metric.unit, description: metric.description };
  if (metric.sum) {
    const { aggregationTemporality, isMonotonic, dataPoints } = metric.sum;
    return { ...common, type: 'sum', aggregationTemporality, isMonotonic, dataPoints: dataPoints.map(numberPoint) };
  }
  if (metric.gauge) return { ...common, type: 'gauge', dataPoints: metric.gauge.dataPoints.map(numberPoint) };
  if (metric.histogram) {
    const { aggregationTemporality, dataPoints } = metric.histogram;
    return { ...common, type: 'histogram', aggregationTemporality, dataPoints: dataPoints.map(histogramPoint) };
  }
  if (metric.exponentialHistogram) {
    const { aggregationTemporality, dataPoints } = metric.exponentialHistogram;
    return {
      ...common,
      type: 'exponentialHistogram',
      aggregationTemporality,
      dataPoints: dataPoints.map(histogramPoint),
    };
  }
  if (metric.summary) return { ...common, type: 'summary', dataPoints: metric.summary.dataPoints.map(summaryPoint) };
  throw new Error(`metric ${metric.name} has no data`);
}

function pointBase(point: OtlpDataPointBase): ReceivedDataPoint {
  return {
    attributes: plainAttributes(point.attributes),
    startTimeUnixNano: point.startTimeUnixNano,
    timeUnixNano: point.timeUnixNano,
  };
}

function numberPoint(point: OtlpNumberDataPoint): ReceivedDataPoint {
  const value = point.asInt !== undefined ? Number(point.asInt) : point.asDouble;
  return { ...pointBase(point), ...(value === undefined ? {} : { value }) };
}

function histogramPoint(point: OtlpHistogramDataPoint | OtlpExponentialHistogramDataPoint): ReceivedDataPoint {
  const explicit = 'bucketCounts' in point ? point : undefined;
  return {
    ...pointBase(point),
    count: count(point.count),
    ...optionalNumbers({ sum: point.sum, min: point.min, max: point.max }),
    ...(explicit ? { bucketCounts: explicit.bucketCounts.map(count), explicitBounds: explicit.explicitBounds } : {}),
  };
}

function summaryPoint(point: OtlpSummaryDataPoint): ReceivedDataPoint {
  return { ...pointBase(point), count: count(point.count), sum: point.sum };
}

function optionalNumbers(values: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, number] => entry[1] !== undefined),
  );
}

/** The attribute that ties a predict call's records and span together. */
const REQUEST_ID = 'inference.request.id';

/** The request id of each record or span, in order. */
export function requestIdsOf(items: readonly (ReceivedLogRecord | ReceivedSpan)[]): unknown[] {
  return items.map((item) => item.attributes[REQUEST_ID]);
}

/** The log records of one predict call, by its request id. */
export function recordsOfCall(records: readonly ReceivedLogRecord[], requestId: string): ReceivedLogRecord[] {
  return records.filter((record) => record.attributes[REQUEST_ID] === requestId);
}

/** The spans of one predict call, by its request id. */
export function spansOfCall(spans: readonly ReceivedSpan[], requestId: string): ReceivedSpan[] {
  return spans.filter((span) => span.attributes[REQUEST_ID] === requestId);
}

/** The call's one `request` or `response` record; throws when there is none or more than one. */
export function recordOfCall(
  records: readonly ReceivedLogRecord[],
  requestId: string,
  type: 'request' | 'response',
): ReceivedLogRecord {
  const found = recordsOfCall(records, requestId).filter(
    (record) => record.attributes['inference.record.type'] === type,
  );
  if (found.length !== 1) throw new Error(`expected one ${type} record of ${requestId}, found ${found.length}`);
  return found[0];
}

/** The call's one span; throws when there is none or more than one. */
export function spanOfCall(spans: readonly ReceivedSpan[], requestId: string): ReceivedSpan {
  const found = spansOfCall(spans, requestId);
  if (found.length !== 1) throw new Error(`expected one span of ${requestId}, found ${found.length}`);
  return found[0];
}
