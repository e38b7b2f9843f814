import type { Attributes } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import {
  ANY_VALUE,
  EXPORT_REQUEST,
  INSTRUMENTATION_SCOPE,
  KEY_VALUE,
  LIST_VALUES,
  RESOURCE,
  RESOURCE_ITEMS,
  SCOPE_ITEMS,
} from './fields.js';
import type { ProtobufWriter } from './protobuf-writer.js';
import { BATCH_LENGTH_BYTES, ITEM_LENGTH_BYTES, WIRE } from './protobuf-writer.js';

// int64's range: integers in it are written as `int_value`, other numbers as `double_value`.
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** An OTLP `AnyValue` (common.proto) from an attribute value or a log body. */
export function writeAnyValue(writer: ProtobufWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      writer.tag(ANY_VALUE.STRING, WIRE.LENGTH_DELIMITED);
      writer.string(value);
      return;
    case 'boolean':
      writer.tag(ANY_VALUE.BOOL, WIRE.VARINT);
      writer.varint(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
        writer.tag(ANY_VALUE.INT, WIRE.VARINT);
        writer.varint(value);
      } else {
        writer.tag(ANY_VALUE.DOUBLE, WIRE.FIXED64);
        writer.double(value);
      }
      return;
    case 'object':
      if (value === null) return;
      if (value instanceof Uint8Array) {
        writer.tag(ANY_VALUE.BYTES, WIRE.LENGTH_DELIMITED);
        writer.bytes(value);
      } else if (Array.isArray(value)) {
        writer.tag(ANY_VALUE.ARRAY, WIRE.LENGTH_DELIMITED);
        const array = writer.beginMessage();
        for (const item of value) {
          writer.tag(LIST_VALUES, WIRE.LENGTH_DELIMITED);
          const start = writer.beginMessage();
          writeAnyValue(writer, item);
          writer.endMessage(start);
        }
        writer.endMessage(array);
      } else {
        writer.tag(ANY_VALUE.KVLIST, WIRE.LENGTH_DELIMITED);
        const list = writer.beginMessage();
        writeKeyValues(writer, value as Record<string, unknown>, LIST_VALUES);
        writer.endMessage(list);
      }
      return;
    default:
    // undefined, functions, symbols, bigints: nothing, as the SDK's serializer does.
  }
}

/** Each own property as a `KeyValue` in the repeated field `field`. */
export function writeKeyValues(
  writer: ProtobufWriter,
  values: Attributes | Record<string, unknown>,
  field: number,
): void {
  for (const key in values) {
    if (!Object.prototype.hasOwnProperty.call(values, key)) continue;
    writer.tag(field, WIRE.LENGTH_DELIMITED);
    const keyValue = writer.beginMessage();
    writer.tag(KEY_VALUE.KEY, WIRE.LENGTH_DELIMITED);
    writer.string(key);
    writer.tag(KEY_VALUE.VALUE, WIRE.LENGTH_DELIMITED);
    const anyValue = writer.beginMessage();
    writeAnyValue(writer, values[key]);
    writer.endMessage(anyValue);
    writer.endMessage(keyValue);
  }
}

/** A `Resource` in field `field`: its attributes and a zero dropped count. */
function writeResource(writer: ProtobufWriter, resource: Resource, field: number): void {
  writer.tag(field, WIRE.LENGTH_DELIMITED);
  const start = writer.beginMessage();
  writeKeyValues(writer, resource.attributes, RESOURCE.ATTRIBUTES);
  writer.tag(RESOURCE.DROPPED_ATTRIBUTES_COUNT, WIRE.VARINT);
  writer.varint(0);
  writer.endMessage(start);
}

/** A scope as the SDK's log records carry it: a logger may be given attributes (`getLogger`'s options). */
type ScopeWithAttributes = InstrumentationScope & {
  readonly attributes?: Attributes;
  readonly droppedAttributesCount?: number;
};

/** An `InstrumentationScope` in field `field`. */
function writeScope(writer: ProtobufWriter, scope: ScopeWithAttributes, field: number): void {
  writer.tag(field, WIRE.LENGTH_DELIMITED);
  const start = writer.beginMessage();
  writer.tag(INSTRUMENTATION_SCOPE.NAME, WIRE.LENGTH_DELIMITED);
  writer.string(scope.name);
  if (scope.version) {
    writer.tag(INSTRUMENTATION_SCOPE.VERSION, WIRE.LENGTH_DELIMITED);
    writer.string(scope.version);
  }
  if (scope.attributes) writeKeyValues(writer, scope.attributes, INSTRUMENTATION_SCOPE.ATTRIBUTES);
  if (scope.droppedAttributesCount) {
    writer.tag(INSTRUMENTATION_SCOPE.DROPPED_ATTRIBUTES_COUNT, WIRE.VARINT);
    writer.varint(scope.droppedAttributesCount);
  }
  writer.endMessage(start);
}

/** Items grouped by resource, then by scope, in first-seen order. */
function groupByResourceAndScope<T extends ResourceItem>(
  items: readonly T[],
): Map<Resource, Map<InstrumentationScope, T[]>> {
  const groups = new Map<Resource, Map<InstrumentationScope, T[]>>();
  for (const item of items) {
    let scopes = groups.get(item.resource);
    if (scopes === undefined) groups.set(item.resource, (scopes = new Map<InstrumentationScope, T[]>()));
    const group = scopes.get(item.instrumentationScope);
    if (group === undefined) scopes.set(item.instrumentationScope, [item]);
    else group.push(item);
  }
  return groups;
}

/** What a log record and a span have in common: where they come from. */
export interface ResourceItem {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
}

/**
 * One item of a `ScopeLogs` or `ScopeSpans`: the tag and length of its
 * repeated field, then its fields, written by `writeItem`.
 */
export function writeItemField<T>(
  writer: ProtobufWriter,
  item: T,
  writeItem: (writer: ProtobufWriter, item: T) => void,
): void {
  writer.tag(SCOPE_ITEMS.ITEMS, WIRE.LENGTH_DELIMITED);
  const itemStart = writer.beginMessage(ITEM_LENGTH_BYTES);
  writeItem(writer, item);
  writer.endMessage(itemStart, ITEM_LENGTH_BYTES);
}

/**
 * An OTLP export request: items grouped by resource (`ResourceLogs`,
 * `ResourceSpans`), then by scope (`ScopeLogs`, `ScopeSpans`), each item's
 * field written by `writeField` (the bytes {@link writeItemField} wrote
 * when the item was queued); the nesting of every OTLP signal.
 */
export function writeExportRequest<T extends ResourceItem>(
  writer: ProtobufWriter,
  items: readonly T[],
  writeField: (writer: ProtobufWriter, item: T) => void,
): void {
  for (const [resource, scopes] of groupByResourceAndScope(items)) {
    writer.tag(EXPORT_REQUEST.RESOURCE_ITEMS, WIRE.LENGTH_DELIMITED);
    const resourceStart = writer.beginMessage(BATCH_LENGTH_BYTES);
    writeResource(writer, resource, RESOURCE_ITEMS.RESOURCE);
    for (const [scope, scopeItems] of scopes) {
      writer.tag(RESOURCE_ITEMS.SCOPE_ITEMS, WIRE.LENGTH_DELIMITED);
      const scopeStart = writer.beginMessage(BATCH_LENGTH_BYTES);
      writeScope(writer, scope, SCOPE_ITEMS.SCOPE);
      for (const item of scopeItems) writeField(writer, item);
      if (scope.schemaUrl) {
        writer.tag(SCOPE_ITEMS.SCHEMA_URL, WIRE.LENGTH_DELIMITED);
        writer.string(scope.schemaUrl);
      }
      writer.endMessage(scopeStart, BATCH_LENGTH_BYTES);
    }
    if (resource.schemaUrl) {
      writer.tag(RESOURCE_ITEMS.SCHEMA_URL, WIRE.LENGTH_DELIMITED);
      writer.string(resource.schemaUrl);
    }
    writer.endMessage(resourceStart, BATCH_LENGTH_BYTES);
  }
}
