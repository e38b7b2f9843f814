/**
 * The names inferlens writes on spans, log records and metrics: the contract
 * with every backend (docs/telemetry.md lists each with its type and unit).
 * Where OpenTelemetry's semantic conventions name a value, their name is
 * used; the rest live under `inference.` (per call) and `inferlens.` (the
 * telemetry's own health).
 */

// Attributes of a predict call, on its span, its log records and its metrics.

/** The model's name, as routed (`iris`). */
export const ATTR_MODEL_NAME = 'inference.model.name';
/** The model version named in the request or reported by the server (`1`). */
export const ATTR_MODEL_VERSION = 'inference.model.version';
/** The wire protocol: one of {@link PROTOCOL}. */
export const ATTR_PROTOCOL = 'inference.protocol';
/** The call's operation: `predict`, `explain`, `infer`, `embeddings`. */
export const ATTR_OPERATION = 'inference.operation';
/** The request id shared by a call's request and response records (KServe's `ce-id`). */
export const ATTR_REQUEST_ID = 'inference.request.id';
/** Rows in the call's batch. */
export const ATTR_BATCH_SIZE = 'inference.batch.size';
/** `success` or `error`, on metrics: one of {@link OUTCOME}. */
export const ATTR_OUTCOME = 'inference.outcome';

// Attributes of log records.

/** Which record a log record is: one of {@link RECORD_TYPE}. */
export const ATTR_RECORD_TYPE = 'inference.record.type';
/** The payload's size in bytes before truncation. */
export const ATTR_PAYLOAD_SIZE = 'inference.payload.size';
/** True when the body holds only the first `maxPayloadBytes` of the payload. */
export const ATTR_PAYLOAD_TRUNCATED = 'inference.payload.truncated';
/** The call's duration in seconds, on the response record. */
export const ATTR_DURATION = 'inference.duration';
/** The monitor a row or schema record belongs to (BentoML's monitor name). */
export const ATTR_MONITOR_NAME = 'inference.monitor.name';
/** `request` or `response`, on the payload size metric. */
export const ATTR_PAYLOAD_DIRECTION = 'inference.payload.direction';

/** Inputs of an embedding call that were cut to the model's maximum sequence length (0 when none). */
export const ATTR_EMBEDDINGS_TRUNCATED_INPUTS = 'inference.embeddings.truncated_inputs';

// OpenTelemetry GenAI semantic conventions, on embedding calls.

/** `embeddings`: one of {@link GEN_AI_OPERATION}. */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
/** The model the call named. */
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
/** Tokens read over every input, as the model's tokenizer counts them. */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
/** The length of each returned vector. */
export const ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT = 'gen_ai.embeddings.dimension.count';
/** The encodings asked for (`["float"]`, `["base64"]`), a string array; only where the protocol lets the client choose. */
export const ATTR_GEN_AI_REQUEST_ENCODING_FORMATS = 'gen_ai.request.encoding_formats';

/** Values of {@link ATTR_GEN_AI_OPERATION_NAME}. */
export const GEN_AI_OPERATION = { EMBEDDINGS: 'embeddings' } as const;

// OpenTelemetry semantic conventions used as they are.

export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
/** The method the client sent, when {@link ATTR_HTTP_REQUEST_METHOD} says `_OTHER`: one the conventions do not know. */
export const ATTR_HTTP_REQUEST_METHOD_ORIGINAL = 'http.request.method_original';
export const ATTR_HTTP_ROUTE = 'http.route';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_URL_PATH = 'url.path';
export const ATTR_URL_SCHEME = 'url.scheme';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_EXCEPTION_MESSAGE = 'exception.message';
/** Prefix of captured request headers: `http.request.header.<lowercase name>`, a string array. */
export const ATTR_HTTP_REQUEST_HEADER_PREFIX = 'http.request.header.';

/** Values of {@link ATTR_PROTOCOL}. */
export const PROTOCOL = {
  KSERVE_V1: 'kserve-v1',
  OPEN_INFERENCE_V2: 'open-inference-v2',
  OPENAI: 'openai',
} as const;

export type Protocol = (typeof PROTOCOL)[keyof typeof PROTOCOL];

/** Values of {@link ATTR_RECORD_TYPE}. */
export const RECORD_TYPE = {
  REQUEST: 'request',
  RESPONSE: 'response',
  MONITOR_ROW: 'monitor.row',
  MONITOR_SCHEMA: 'monitor.schema',
} as const;

export type RecordType = (typeof RECORD_TYPE)[keyof typeof RECORD_TYPE];

/** Values of {@link ATTR_OUTCOME}. */
export const OUTCOME = { SUCCESS: 'success', ERROR: 'error' } as const;

/** `http.request.method` of a method the conventions do not know. */
export const HTTP_METHOD_OTHER = '_OTHER';

/** `error.type` of a failed call whose error names no type and whose status says no failure. */
export const ERROR_TYPE_OTHER = '_OTHER';

/** `error.type` of a call whose client went away before the answer was sent. */
export const ERROR_TYPE_ABORTED = 'aborted';

/** `error.type` of a call whose connection the server closed when its socket timeout ran out. */
export const ERROR_TYPE_TIMEOUT = 'timeout';

/** `error.type` of a call `inferlens serve` cut off because its shutdown timeout ran out: the server's doing. */
export const ERROR_TYPE_SERVER_SHUTDOWN = 'server_shutdown';

/** The monitor name under which the file sink writes request and response records. */
export const PAYLOAD_MONITOR_NAME = 'inference_payloads';

// Metric names.

export const METRIC_REQUEST_DURATION = 'inference.server.request.duration';
export const METRIC_ACTIVE_REQUESTS = 'inference.server.active_requests';
export const METRIC_BATCH_SIZE = 'inference.server.batch.size';
export const METRIC_PAYLOAD_SIZE = 'inference.server.payload.size';
export const METRIC_MODEL_EXECUTION_DURATION = 'inference.model.execution.duration';
export const METRIC_RECORDS_EXPORTED = 'inferlens.telemetry.records.exported';
export const METRIC_RECORDS_DROPPED = 'inferlens.telemetry.records.dropped';
export const METRIC_QUEUE_DEPTH = 'inferlens.telemetry.queue.depth';
/** The signal a self-metric counts: `logs` or `traces`. */
export const ATTR_TELEMETRY_SIGNAL = 'inferlens.telemetry.signal';
/** The destination a self-metric counts: `otlp` or `file`. */
export const ATTR_TELEMETRY_DESTINATION = 'inferlens.telemetry.destination';
export const METRIC_TELEMETRY_ERRORS = 'inferlens.telemetry.errors';
