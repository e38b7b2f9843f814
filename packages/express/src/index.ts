export { inferenceTelemetry } from './middleware.js';
export type { InferenceTelemetry } from './middleware.js';
export type {
  EmbeddingVectorsMode,
  FileSinkOptions,
  InferenceTelemetryOptions,
  LoggerMode,
  OtlpCompression,
  OtlpOptions,
  OtlpProtocol,
  PredictCall,
  PredictMatcher,
  PrometheusOptions,
  QueueOptions,
  ResourceDetectorName,
  TelemetryDestinations,
} from './types.js';
export { defaultMatcher } from './matcher.js';
export { expressServerOptions } from './express-server-options.js';
export type { ExpressPrototypes, ExpressServerOptions } from './express-server-options.js';
export { captureRawBody } from './payload/request-body.js';
export { annotateCall, captureErrors } from './annotations.js';
export type { CallAnnotations, CutOffAnnotation, EmbeddingAnnotations } from './annotations.js';
export { monitor, RESERVED_COLUMNS } from './monitor.js';
export type { ColumnDataType, ColumnOptions, ColumnRole, Monitor } from './monitor.js';
export { REDACTED } from './payload/redact.js';
export {
  DEFAULT_EMBEDDING_VECTORS,
  DEFAULT_FILE_SINK_DIRECTORY,
  DEFAULT_FILE_SINK_MAX_FILE_BYTES,
  DEFAULT_FILE_SINK_MAX_FILES,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_METRIC_EXPORT_INTERVAL_MILLIS,
  DEFAULT_MODE,
  DEFAULT_OTLP_COMPRESSION,
  DEFAULT_OTLP_PROTOCOL,
  DEFAULT_OTLP_TIMEOUT_MILLIS,
  DEFAULT_PAYLOAD_SAMPLE_RATE,
  DEFAULT_SERVICE_NAME,
  DEFAULT_SLOW_REQUEST_THRESHOLD_MS,
} from './config/defaults.js';
export { NEVER_CAPTURED_HEADERS } from './config.js';
export {
  ATTR_BATCH_SIZE,
  ATTR_DURATION,
  ATTR_EMBEDDINGS_TRUNCATED_INPUTS,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_ENCODING_FORMATS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_HTTP_REQUEST_HEADER_PREFIX,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_MONITOR_NAME,
  ATTR_OPERATION,
  ATTR_OUTCOME,
  ATTR_PAYLOAD_DIRECTION,
  ATTR_PAYLOAD_SIZE,
  ATTR_PAYLOAD_TRUNCATED,
  ATTR_PROTOCOL,
  ATTR_RECORD_TYPE,
  ATTR_REQUEST_ID,
  ATTR_TELEMETRY_DESTINATION,
  ATTR_TELEMETRY_SIGNAL,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ERROR_TYPE_ABORTED,
  ERROR_TYPE_OTHER,
  ERROR_TYPE_SERVER_SHUTDOWN,
  GEN_AI_OPERATION,
  HTTP_METHOD_OTHER,
  METRIC_ACTIVE_REQUESTS,
  METRIC_BATCH_SIZE,
  METRIC_MODEL_EXECUTION_DURATION,
  METRIC_PAYLOAD_SIZE,
  METRIC_QUEUE_DEPTH,
  METRIC_RECORDS_DROPPED,
  METRIC_RECORDS_EXPORTED,
  METRIC_REQUEST_DURATION,
  METRIC_TELEMETRY_ERRORS,
  OUTCOME,
  PAYLOAD_MONITOR_NAME,
  PROTOCOL,
  RECORD_TYPE,
} from './semconv.js';
export type { Protocol, RecordType } from './semconv.js';
