import type { Attributes, Context, HrTime } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
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
import { WrittenSchemas } from './written-schemas.js';

/** What the response record says about how the call ended. */
export interface CallOutcome {
  status: number;
  /** The measured duration, to the nanosecond: the span lasts exactly this long. */
  duration: HrTime;
  /** The same duration in seconds. */
  durationSeconds: number;
  failed: boolean;
  /** The error recorded for the call (the server's cut-off one, else the handler's), for the span's exception event. */
  error: unknown;
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
  timestamp: HrTime,
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

/**
 * The response record: the answer's body, its status and duration; ERROR
 * severity when the call failed. It is stamped with the time the call ended.
 */
export function emitResponseRecord(
  logger: Logger,
  context: Context,
  timestamp: HrTime,
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
    timestamp,
    context,
    severityNumber: outcome.failed ? SeverityNumber.ERROR : SeverityNumber.INFO,
    severityText: outcome.failed ? 'ERROR' : 'INFO',
    body: payload.text,
    attributes,
  });
}

/**
 * `JSON.stringify`'s replacer for monitor rows. A typed array (onnxruntime's
 * `tensor.data`, a Buffer) becomes an array of its numbers rather than an
 * object keyed by index; a BigInt, and a BigInt64Array's elements, become
 * decimal strings, which JSON cannot otherwise write and a JSON number would
 * round past 2^53. The holder's own value is read because a Buffer's `toJSON`
 * has already run by the time the replacer sees it.
 */
function monitorValue(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  if (ArrayBuffer.isView(original) && !(original instanceof DataView)) {
    if (original instanceof BigInt64Array || original instanceof BigUint64Array) return Array.from(original, String);
    return Array.from(original as unknown as ArrayLike<number>);
  }
  return typeof value === 'bigint' ? value.toString() : value;
}

/** A monitor's row as JSON: the reserved columns, then the logged ones; throws on a value JSON cannot hold. */
function serialisedRow(
  columns: readonly LoggedColumn[],
  timestamp: string,
  requestId: string,
  traceId: string | null,
): string {
  // Without a prototype, a column named `__proto__` is a column like any other rather than the row's prototype.
  const row = Object.create(null) as Record<string, unknown>;
  row['timestamp'] = timestamp;
  row['request_id'] = requestId;
  row['trace_id'] = traceId;
  for (const column of columns) row[column.name] = writtenValue(column.value);
  return JSON.stringify(row, monitorValue);
}

/**
 * A logged column's value as its row holds it: `null` for one that JSON
 * would leave out of the row (`undefined`, a function, a symbol), so that
 * every column of the schema is in the row.
 */
function writtenValue(value: unknown): unknown {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol' ? null : value;
}

/**
 * The fault of a call whose monitors (named) logged a value their rows could
 * not be written with, or whose records a log processor threw on.
 */
class MonitorRowError extends Error {
  constructor(monitors: readonly string[], cause: unknown) {
    super(`monitor records not written (${monitors.join(', ')}): ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
  }
}

/** Writes each monitor's row for the call, and its schema whenever `schemas` says it is due. */
export class MonitorRecords {
  readonly #logger: Logger;
  readonly #schemas: WrittenSchemas;

  /** @param schemas the schemas written so far; a new, empty memory by default. */
  constructor(logger: Logger, schemas: WrittenSchemas = new WrittenSchemas()) {
    this.#logger = logger;
    this.#schemas = schemas;
  }

  /**
   * Each monitor is written on its own: a row that cannot be serialised
   * loses that monitor's records only (its schema is not marked written),
   * and is thrown once the other monitors are written, for the caller's
   * fault reporting to count the call; so is a log processor's throw on a
   * record (the SDK does not catch it), which costs neither the monitor's
   * other record nor the other monitors theirs (a schema thrown on is due
   * again at the monitor's next row). A call with no trace has
   * `traceId` null, rather than the all-zero id, which names no trace and
   * would join every untraced call's rows. The records, and the rows'
   * `timestamp` column, are stamped with `endTime`, when the call ended.
   */
  emit(
    monitors: ReadonlyMap<string, readonly LoggedColumn[]>,
    context: Context,
    endTime: HrTime,
    requestId: string,
    traceId: string | null,
  ): void {
    const timestamp = new Date(hrTimeToMilliseconds(endTime)).toISOString();
    const failed: string[] = [];
    let fault: unknown;
    for (const [name, columns] of monitors) {
      if (columns.length === 0) continue;
      let row: string;
      try {
        row = serialisedRow(columns, timestamp, requestId, traceId);
      } catch (error) {
        failed.push(name);
        fault ??= error;
        continue;
      }
      const attributes = { [ATTR_MONITOR_NAME]: name, [ATTR_REQUEST_ID]: requestId };
      let schemaFault: unknown;
      if (this.#schemas.due(name, columns)) {
        const schema = JSON.stringify({
          columns: columns.map(({ name: column, role, dataType }) => ({ name: column, role, type: dataType })),
        });
        schemaFault = this.#emit(
          context,
          endTime,
          schema,
          Object.assign({}, attributes, { [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_SCHEMA }),
        );
        if (schemaFault !== undefined) this.#schemas.forget(name);
      }
      const emitFault =
        this.#emit(
          context,
          endTime,
          row,
          Object.assign({}, attributes, { [ATTR_RECORD_TYPE]: RECORD_TYPE.MONITOR_ROW }),
        ) ?? schemaFault;
      if (emitFault !== undefined) {
        failed.push(name);
        fault ??= emitFault;
      }
    }
    if (failed.length > 0) throw new MonitorRowError(failed, fault);
  }

  /** Emits one record; returns what a log processor threw, if anything, rather than throwing it. */
  #emit(context: Context, timestamp: HrTime, body: string, attributes: Attributes): unknown {
    try {
      this.#logger.emit({
        timestamp,
        context,
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        body,
        attributes,
      });
      return undefined;
    } catch (error) {
      return error;
    }
  }
}
