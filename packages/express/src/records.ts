import type { Attributes, Context } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { LoggedColumn } from './monitor.js';
import type { BoundedPayload } from './payload/truncate.js';
import {
  ATTR_DURATION,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_MONITOR_NAME,
  ATTR_PAYLOAD_SIZE,
  ATTR_PAYLOAD_TRUNCATED,
  ATTR_RECORD_TYPE,
  ATTR_REQUEST_ID,
  RECORD_TYPE,
} from './semconv.js';
import type { RecordType } from './semconv.js';

/** What the response record says about how the call ended. */
export interface CallOutcome {
  status: number;
  durationSeconds: number;
  failed: boolean;
  errorType: string | undefined;
  errorMessage: string | undefined;
}

/** The call's attributes, the record type and the payload's size (and truncation), in one new object. */
function recordAttributes(callAttributes: Attributes, type: RecordType, payload: BoundedPayload): Attributes {
  const attributes = Object.assign({}, callAttributes);
  attributes[ATTR_RECORD_TYPE] = type;
  attributes[ATTR_PAYLOAD_SIZE] = payload.size;
  if (payload.truncated) attributes[ATTR_PAYLOAD_TRUNCATED] = true;
  return attributes;
}

/**
 * The request record: the payload as it arrived (redacted, capped) as a
 * string body, which backends index as text and costs less to encode than
 * a structured body. It is stamped with the arrival time.
 */
export function emitRequestRecord(
  logger: Logger,
  context: Context,
  timestamp: number,
  payload: BoundedPayload,
  callAttributes: Attributes,
): void {
  logger.emit({
    timestamp,
    context,
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: payload.text,
    attributes: recordAttributes(callAttributes, RECORD_TYPE.REQUEST, payload),
  });
}

/** The response record: the answer's body, its status and duration; ERROR severity when the call failed. */
export function emitResponseRecord(
  logger: Logger,
  context: Context,
  payload: BoundedPayload,
  callAttributes: Attributes,
  outcome: CallOutcome,
): void {
  const attributes = recordAttributes(callAttributes, RECORD_TYPE.RESPONSE, payload);
  attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = outcome.status;
  attributes[ATTR_DURATION] = outcome.durationSeconds;
  if (outcome.errorType !== undefined) attributes[ATTR_ERROR_TYPE] = outcome.errorType;
  if (outcome.errorMessage !== undefined) attributes[ATTR_EXCEPTION_MESSAGE] = outcome.errorMessage;
  logger.emit({
    context,
    severityNumber: outcome.failed ? SeverityNumber.ERROR : SeverityNumber.INFO,
    severityText: outcome.failed ? 'ERROR' : 'INFO',
    body: payload.text,
    attributes,
  });
}

/** Writes each monitor's row for the call, and its schema the first time its columns are seen. */
export class MonitorRecords {
  readonly #logger: Logger;
  /** The column signature last written per monitor, so a schema is written once, and again if it changes. */
  readonly #schemas = new Map<string, string>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  emit(
    monitors: ReadonlyMap<string, readonly LoggedColumn[]>,
    context: Context,
    requestId: string,
    traceId: string,
  ): void {
    const timestamp = new Date().toISOString();
    for (const [name, columns] of monitors) {
      if (columns.length === 0) continue;
      const schema = JSON.stringify({
        columns: columns.map(({ name: column, role, dataType }) => ({ name: column, role, type: dataType })),
      });
      const attributes = { [ATTR_MONITOR_NAME]: name, [ATTR_REQUEST_ID]: requestId };
      if (this.#schemas.get(name) !== schema) {
        this.#schemas.set(name, schema);
        this.#emit(context, schema, { ...attributes, [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_SCHEMA });
      }
      const row: Record<string, unknown> = { timestamp, request_id: requestId, trace_id: traceId };
      for (const column of columns) row[column.name] = column.value;
      this.#emit(context, JSON.stringify(row), { ...attributes, [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_ROW });
    }
  }

  #emit(context: Context, body: string, attributes: Attributes): void {
    this.#logger.emit({ context, severityNumber: SeverityNumber.INFO, severityText: 'INFO', body, attributes });
  }
}
