/**
 * Field numbers of the OTLP messages written here, as the OpenTelemetry
 * protocol's `.proto` files (common, resource, logs, trace, and the
 * collector services) define them.
 */

/** `ExportLogsServiceRequest` / `ExportTraceServiceRequest`. */
export const EXPORT_REQUEST = { RESOURCE_ITEMS: 1 } as const;
/** `ResourceLogs` / `ResourceSpans`. */
export const RESOURCE_ITEMS = { RESOURCE: 1, SCOPE_ITEMS: 2, SCHEMA_URL: 3 } as const;
/** `ScopeLogs` / `ScopeSpans`. */
export const SCOPE_ITEMS = { SCOPE: 1, ITEMS: 2, SCHEMA_URL: 3 } as const;
export const RESOURCE = { ATTRIBUTES: 1, DROPPED_ATTRIBUTES_COUNT: 2 } as const;
export const INSTRUMENTATION_SCOPE = { NAME: 1, VERSION: 2, ATTRIBUTES: 3, DROPPED_ATTRIBUTES_COUNT: 4 } as const;
export const KEY_VALUE = { KEY: 1, VALUE: 2 } as const;
/** `ArrayValue.values` and `KeyValueList.values`. */
export const LIST_VALUES = 1;
export const ANY_VALUE = {
  STRING: 1,
  BOOL: 2,
  INT: 3,
  DOUBLE: 4,
  ARRAY: 5,
  KVLIST: 6,
  BYTES: 7,
} as const;

export const LOG_RECORD = {
  TIME_UNIX_NANO: 1,
  SEVERITY_NUMBER: 2,
  SEVERITY_TEXT: 3,
  BODY: 5,
  ATTRIBUTES: 6,
  DROPPED_ATTRIBUTES_COUNT: 7,
  FLAGS: 8,
  TRACE_ID: 9,
  SPAN_ID: 10,
  OBSERVED_TIME_UNIX_NANO: 11,
  EVENT_NAME: 12,
} as const;

/** `Span`; `Span.Link` numbers its trace id, span id and trace state the same. */
export const SPAN = {
  TRACE_ID: 1,
  SPAN_ID: 2,
  TRACE_STATE: 3,
  PARENT_SPAN_ID: 4,
  NAME: 5,
  KIND: 6,
  START_TIME_UNIX_NANO: 7,
  END_TIME_UNIX_NANO: 8,
  ATTRIBUTES: 9,
  DROPPED_ATTRIBUTES_COUNT: 10,
  EVENTS: 11,
  DROPPED_EVENTS_COUNT: 12,
  LINKS: 13,
  DROPPED_LINKS_COUNT: 14,
  STATUS: 15,
  FLAGS: 16,
} as const;
export const SPAN_EVENT = { TIME_UNIX_NANO: 1, NAME: 2, ATTRIBUTES: 3, DROPPED_ATTRIBUTES_COUNT: 4 } as const;
export const SPAN_LINK = { ATTRIBUTES: 4, DROPPED_ATTRIBUTES_COUNT: 5, FLAGS: 6 } as const;
export const STATUS = { MESSAGE: 2, CODE: 3 } as const;
