/**
 * The names inferlens writes on spans, log records and metrics: the contract
 * with every backend (see docs/telemetry.md). Where OpenTelemetry's semantic
 * conventions name a value, their name is used; the rest live under
 * `inference.`.
 */

/** The model's name, as routed (`iris`). */
export const ATTR_MODEL_NAME = 'inference.model.name';
/** The model version that served the call (`1`). */
export const ATTR_MODEL_VERSION = 'inference.model.version';
/** The wire protocol: one of {@link PROTOCOL}. */
export const ATTR_PROTOCOL = 'inference.protocol';
/** The request id shared by a call's request and response records (KServe's `ce-id`). */
export const ATTR_REQUEST_ID = 'inference.request.id';
/** Rows in the call's batch. */
export const ATTR_BATCH_SIZE = 'inference.batch.size';
/** Which record of a call a log record is: one of {@link RECORD_TYPE}. */
export const ATTR_RECORD_TYPE = 'inference.record.type';

/** Values of {@link ATTR_PROTOCOL}. */
export const PROTOCOL = {
  KSERVE_V1: 'kserve-v1',
  OPEN_INFERENCE_V2: 'open-inference-v2',
  OPENAI: 'openai',
} as const;

/** Values of {@link ATTR_RECORD_TYPE}. */
export const RECORD_TYPE = {
  REQUEST: 'request',
  RESPONSE: 'response',
} as const;
