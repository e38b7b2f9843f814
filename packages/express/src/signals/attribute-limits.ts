import type { Attributes } from '@opentelemetry/api';
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { SpanLimits } from '@opentelemetry/sdk-trace';
import { cutText } from '../attribute-value.js';
import type { EnvReader } from '../env.js';
import type { LogRecordSink } from './queueing-logger.js';

/** How much of its attributes a span or a log record keeps. */
export interface AttributeLimits {
  /** Attributes kept, the first ones set; the rest are dropped and counted. */
  readonly attributeCountLimit: number;
  /** UTF-16 code units kept of a string value, and of each string in an array; `Infinity`: no limit. */
  readonly attributeValueLengthLimit: number;
}

/** The specification's default of every count limit: attributes of a span, an event or a record, events of a span. */
export const DEFAULT_COUNT_LIMIT = 128;
/** The specification's default value length limit: none. */
const DEFAULT_VALUE_LENGTH_LIMIT = Infinity;

/** A count limit's variable: a whole number, 0 or more. */
function countLimit(env: EnvReader, name: string): number | undefined {
  return env.number(name, 0, { integer: true });
}

/**
 * A value length limit's variable: a whole number, 1 or more. The
 * JavaScript SDK reads 0 as no limit (with a diagnostic), where it would
 * empty every string: either reading would surprise, so 0 is reported and
 * ignored.
 */
function lengthLimit(env: EnvReader, name: string): number | undefined {
  return env.number(name, 1, { integer: true });
}

/**
 * A signal's attribute limits, from the environment: its own variable
 * (`OTEL_SPAN_ATTRIBUTE_*`, `OTEL_LOGRECORD_ATTRIBUTE_*`), else the general
 * `OTEL_ATTRIBUTE_*` one, else the specification's default.
 */
function attributeLimitsFromEnv(env: EnvReader, signal: 'SPAN' | 'LOGRECORD'): AttributeLimits {
  return {
    attributeCountLimit:
      countLimit(env, `OTEL_${signal}_ATTRIBUTE_COUNT_LIMIT`) ??
      countLimit(env, 'OTEL_ATTRIBUTE_COUNT_LIMIT') ??
      DEFAULT_COUNT_LIMIT,
    attributeValueLengthLimit:
      lengthLimit(env, `OTEL_${signal}_ATTRIBUTE_VALUE_LENGTH_LIMIT`) ??
      lengthLimit(env, 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') ??
      DEFAULT_VALUE_LENGTH_LIMIT,
  };
}

/**
 * The span limits, from the environment: the attribute limits, and those of
 * the events (a failed call's span has one, `exception`). The attributes
 * per event are the specification's `OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT`,
 * else the JavaScript SDK's own name for them,
 * `OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT`, which its tracer provider
 * reads in place of the specification's. The SDK's tracer provider, given
 * these, applies them. Links are left at their defaults: a call's span has
 * none.
 */
export function spanLimitsFromEnv(env: EnvReader): SpanLimits {
  return Object.assign(attributeLimitsFromEnv(env, 'SPAN'), {
    eventCountLimit: countLimit(env, 'OTEL_SPAN_EVENT_COUNT_LIMIT') ?? DEFAULT_COUNT_LIMIT,
    attributePerEventCountLimit:
      countLimit(env, 'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT') ??
      countLimit(env, 'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT') ??
      DEFAULT_COUNT_LIMIT,
  });
}

/** The log records' attribute limits, from the environment. */
export function logRecordLimitsFromEnv(env: EnvReader): AttributeLimits {
  return attributeLimitsFromEnv(env, 'LOGRECORD');
}

/** Whether `value`, or a string in it when it is an array, is longer than `limit`. */
function tooLong(value: AnyValue, limit: number): boolean {
  if (typeof value === 'string') return value.length > limit;
  return Array.isArray(value) && value.some((item) => typeof item === 'string' && item.length > limit);
}

/** `value` with its strings cut to `limit`: itself, or each string of an array. */
function cutValue(value: AnyValue, limit: number): AnyValue {
  if (typeof value === 'string') return cutText(value, limit);
  return Array.isArray(value) ? value.map((item) => (typeof item === 'string' ? cutText(item, limit) : item)) : value;
}

/**
 * `attributes` within `limits`, and how many were dropped, as the SDK's log
 * records keep them: the first ones set, their strings cut (never between
 * the two halves of a surrogate pair). The same object when it is within
 * them already, as a call's records are unless the limits were lowered.
 */
export function limitedAttributes(attributes: LogAttributes, limits: AttributeLimits): [LogAttributes, number] {
  const { attributeCountLimit, attributeValueLengthLimit } = limits;
  const cuts = attributeValueLengthLimit !== Infinity;
  let count = 0;
  let within = true;
  for (const key in attributes) {
    count++;
    if (count > attributeCountLimit || (cuts && tooLong(attributes[key], attributeValueLengthLimit))) within = false;
  }
  if (within) return [attributes, 0];
  const limited: LogAttributes = {};
  let kept = 0;
  for (const key in attributes) {
    if (kept === attributeCountLimit) break;
    limited[key] = cuts ? cutValue(attributes[key], attributeValueLengthLimit) : attributes[key];
    kept++;
  }
  return [limited, count - kept];
}

/**
 * `attributes` with their strings cut to `limit` (never between the two
 * halves of a surrogate pair), as a copy; the same object when none is
 * longer, or `limit` is `Infinity`.
 */
export function cutStrings<A extends Attributes | LogAttributes>(attributes: A, limit: number): A {
  if (limit === Infinity) return attributes;
  // Strings stay strings and arrays arrays: the attributes keep their type.
  return limitedAttributes(attributes, { attributeCountLimit: Infinity, attributeValueLengthLimit: limit })[0] as A;
}

/**
 * `sink`, each record held to `limits` before it gets it: the record itself
 * when it is within them, else a copy with its attributes limited and the
 * dropped ones counted.
 */
export function limitingSink(sink: LogRecordSink, limits: AttributeLimits): LogRecordSink {
  return {
    push: (record: ReadableLogRecord) => {
      const [attributes, dropped] = limitedAttributes(record.attributes, limits);
      sink.push(
        attributes === record.attributes
          ? record
          : Object.assign({}, record, {
              attributes,
              droppedAttributesCount: record.droppedAttributesCount + dropped,
            }),
      );
    },
  };
}
