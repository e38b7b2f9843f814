import type { Request } from 'express';
import { callContextOf } from './call-context.js';

/** BentoML's column roles; any other string is a custom role. */
export type ColumnRole = 'feature' | 'prediction' | 'target' | (string & {});

/** BentoML's column data types; any other string is a custom type. */
export type ColumnDataType = 'numerical' | 'categorical' | 'numerical_sequence' | (string & {});

export interface ColumnOptions {
  /** The column's name. */
  name: string;
  role: ColumnRole;
  dataType: ColumnDataType;
}

/** A monitor of one call: `log` adds a column to the call's row. */
export interface Monitor {
  log(value: unknown, column: ColumnOptions): void;
}

/** Columns every row has, filled in by the middleware. */
export const RESERVED_COLUMNS: ReadonlySet<string> = new Set(['timestamp', 'request_id', 'trace_id']);

/** A column logged in a call, in logging order. */
export interface LoggedColumn extends ColumnOptions {
  value: unknown;
}

/**
 * A column's options as the types have them, for callers in plain
 * JavaScript: a malformed column is the handler's mistake, named where it
 * is made rather than failing inside the middleware.
 */
function checkColumn(column: ColumnOptions | undefined): void {
  const { name, role, dataType } = column ?? {};
  if (typeof name !== 'string' || typeof role !== 'string' || typeof dataType !== 'string') {
    throw new TypeError('monitor.log: the column must be { name, role, dataType }, each a string');
  }
}

/** Used outside a predict call (or without the middleware): nothing to collect into. */
const DISCARDING_MONITOR: Monitor = { log() {} };

/**
 * BentoML's `bentoml.monitor(name)` for Express: inside a handler, the
 * values logged become one row record of monitor `name` for this call,
 * with the reserved columns `timestamp`, `request_id` and `trace_id`. A
 * schema record is written the first time each of a monitor's column sets
 * is seen, in whatever order its columns were logged, and again with the
 * monitor's next row once one may have been lost (an export that failed,
 * a full queue, a new file of the file sink).
 *
 * ```ts
 * const mon = monitor(req, 'iris_classifier');
 * mon.log(5.1, { name: 'sepal_length', role: 'feature', dataType: 'numerical' });
 * mon.log('versicolor', { name: 'pred', role: 'prediction', dataType: 'categorical' });
 * ```
 *
 * Logging a well-formed column never throws: a reserved or repeated
 * column name is ignored. A column without string `name`, `role` and
 * `dataType` (plain JavaScript) is a TypeError.
 * The row is written, and its values serialised, just after the call ends
 * (its answer sent or its client gone), stamped with the time it ended: a
 * value changed after it was logged is written as changed, and one logged
 * after the call ended is discarded.
 *
 * In the file sink, `inference_payloads` is the folder of the request and
 * response records: a monitor whose folder it would be (that name, or one
 * such as `inference payloads` that becomes it as a folder name, in any
 * letter case) has no table of its own there, its rows and schemas being
 * written among the payload records, in their layout.
 */
export function monitor(req: Request, name: string): Monitor {
  const context = callContextOf(req);
  if (context === undefined) return DISCARDING_MONITOR;
  const monitors = (context.monitors ??= new Map<string, LoggedColumn[]>());
  return {
    log(value, column) {
      checkColumn(column);
      if (context.ended || RESERVED_COLUMNS.has(column.name)) return;
      let columns = monitors.get(name);
      if (columns === undefined) {
        columns = [];
        monitors.set(name, columns);
      }
      if (columns.some((logged) => logged.name === column.name)) return;
      columns.push({ name: column.name, role: column.role, dataType: column.dataType, value });
    },
  };
}
