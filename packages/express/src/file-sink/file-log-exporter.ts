import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode, hrTimeToMilliseconds } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { join, resolve } from 'node:path';
import type { BatchExportResult } from '../export/bounded-queue.js';
import {
  ATTR_MONITOR_NAME,
  ATTR_PAYLOAD_TRUNCATED,
  ATTR_RECORD_TYPE,
  PAYLOAD_MONITOR_NAME,
  RECORD_TYPE,
} from '../semconv.js';
import type { AppendFailure, RotatingJsonLinesFileOptions } from './rotating-file.js';
import { RotatingJsonLinesFile } from './rotating-file.js';

/** Default {@link FileLogRecordExporterOptions.directory}: BentoML's `monitoring`, under the working directory. */
export const DEFAULT_MONITORING_DIRECTORY = 'monitoring';

/** Where a {@link FileLogRecordExporter} writes, and how each file rotates. */
export interface FileLogRecordExporterOptions extends RotatingJsonLinesFileOptions {
  /** The monitoring folder, resolved once at construction. Default {@link DEFAULT_MONITORING_DIRECTORY}. */
  directory?: string;
}

/** A file under the monitoring folder: `<monitor>/data/data.<n>.log` or `<monitor>/schema/schema.<n>.log`. */
type Kind = 'data' | 'schema';

/**
 * Writes log records as JSON lines in BentoML's monitoring layout:
 * `<directory>/<monitor>/data/data.<n>.log` and `<directory>/<monitor>/schema/schema.<n>.log`.
 *
 * - `monitor.row` records: the row itself (the body's JSON text) in `<inference.monitor.name>/data`.
 * - `monitor.schema` records: the body's JSON text in `<inference.monitor.name>/schema`.
 * - everything else (request and response payloads, records without a type, rows or schemas
 *   that cannot be written as such, and those of a monitor whose folder would be
 *   `inference_payloads`): `{"timestamp","severity","trace_id","span_id","attributes","body"}`
 *   in `inference_payloads/data`, the body as JSON where it parses.
 *
 * Each export appends once per destination file; `export` calls back only when written.
 */
export class FileLogRecordExporter implements LogRecordExporter {
  readonly #directory: string;
  readonly #fileOptions: RotatingJsonLinesFileOptions;
  /** Each file by its folder: monitor names that meet in one folder (`a/b`, `a_b`) share its file. */
  readonly #files = new Map<string, RotatingJsonLinesFile>();
  /** The file of each monitor name, per kind: a record costs a lookup, not a path and a folder name. */
  readonly #byMonitor: Record<Kind, Map<string, RotatingJsonLinesFile>> = { data: new Map(), schema: new Map() };
  /** `inference_payloads/data`: payload-style records only, so that each file has one layout. */
  readonly #payloads: RotatingJsonLinesFile;
  readonly #schemaDue: ((monitor: string) => void) | undefined;
  #isShutdown = false;

  /**
   * @param schemaDue told of each monitor whose rows a new data file takes (one rotated by size or day, or
   *   started in a folder made again), past the first this exporter started: the monitor's schema is to be
   *   written again, so that the schema folder has it at least as recently as the rows; none is told by default
   */
  constructor(options: FileLogRecordExporterOptions = {}, schemaDue?: (monitor: string) => void) {
    const { directory = DEFAULT_MONITORING_DIRECTORY, ...fileOptions } = options;
    this.#directory = resolve(directory);
    this.#fileOptions = fileOptions;
    this.#schemaDue = schemaDue;
    // Opened (lazily: nothing touches the disk yet) so that bad options throw here, not on the first export.
    this.#payloads = this.#open(PAYLOAD_MONITOR_NAME, 'data');
  }

  /**
   * Appends `logs` to their files; calls back SUCCESS once all are written,
   * otherwise FAILED with the first error and, as `failedItems`, the records
   * that could not be written (the others were).
   */
  export(logs: ReadableLogRecord[], resultCallback: (result: BatchExportResult) => void): void {
    if (this.#isShutdown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('FileLogRecordExporter is shut down') });
      return;
    }
    let failures: Promise<AppendFailure | undefined>[];
    try {
      const batches = new Map<RotatingJsonLinesFile, string[]>();
      for (const log of logs) {
        const { file, line } = this.#route(log);
        const lines = batches.get(file);
        if (lines) lines.push(line);
        else batches.set(file, [line]);
      }
      failures = [...batches].map(([file, lines]) => file.append(lines));
    } catch (error) {
      const failure = { error: error instanceof Error ? error : new Error(String(error)), unwritten: logs.length };
      failures = [Promise.resolve(failure)];
    }
    void Promise.all(failures).then((results) => {
      const failed = results.filter((result) => result !== undefined);
      if (failed.length === 0) {
        resultCallback({ code: ExportResultCode.SUCCESS });
        return;
      }
      const failedItems = failed.reduce((sum, { unwritten }) => sum + unwritten, 0);
      resultCallback({ code: ExportResultCode.FAILED, error: failed[0].error, failedItems });
    });
  }

  /** Resolves when every export made so far has been written or has failed. */
  async forceFlush(): Promise<void> {
    await Promise.all([...this.#files.values()].map((file) => file.flush()));
  }

  /** Waits for pending writes; later exports call back FAILED without writing. */
  async shutdown(): Promise<void> {
    this.#isShutdown = true;
    await this.forceFlush();
  }

  /** A row or schema as its JSON text in its monitor's file; anything else as a payload-style record. */
  #route(log: ReadableLogRecord): { file: RotatingJsonLinesFile; line: string } {
    const type = log.attributes[ATTR_RECORD_TYPE];
    const monitor = log.attributes[ATTR_MONITOR_NAME];
    if ((type === RECORD_TYPE.MONITOR_ROW || type === RECORD_TYPE.MONITOR_SCHEMA) && typeof monitor === 'string') {
      const isRow = type === RECORD_TYPE.MONITOR_ROW;
      const file = this.#monitorFile(monitor, isRow ? 'data' : 'schema');
      // The payload file takes payload-style records only.
      const text = file === this.#payloads ? undefined : jsonText(log.body, isRow);
      if (text !== undefined) return { file, line: text };
    }
    return { file: this.#payloads, line: envelope(log) };
  }

  /**
   * The file of a monitor's rows or schemas. A monitor whose folder would be
   * the payload records' own (`inference_payloads`, `inference payloads`, in
   * any letter case, which a case-insensitive disk merges) gets the payload
   * file, where its records go as payload-style ones.
   */
  #monitorFile(monitor: string, kind: Kind): RotatingJsonLinesFile {
    const known = this.#byMonitor[kind].get(monitor);
    if (known !== undefined) return known;
    const folder = folderName(monitor);
    const file = folder.toLowerCase() === PAYLOAD_MONITOR_NAME ? this.#payloads : this.#open(folder, kind);
    this.#byMonitor[kind].set(monitor, file);
    return file;
  }

  #open(folder: string, kind: Kind): RotatingJsonLinesFile {
    const dir = join(this.#directory, folder, kind);
    let file = this.#files.get(dir);
    if (!file) {
      const onNewFile = kind === 'data' ? () => this.#newRows(dir) : undefined;
      file = new RotatingJsonLinesFile(dir, kind, this.#fileOptions, onNewFile);
      this.#files.set(dir, file);
    }
    return file;
  }

  /** Tells `schemaDue` of each monitor whose rows go to the data folder `dir`, which has just started a new file. */
  #newRows(dir: string): void {
    const file = this.#files.get(dir);
    if (this.#schemaDue === undefined || file === undefined) return;
    for (const [monitor, rows] of this.#byMonitor.data) if (rows === file) this.#schemaDue(monitor);
  }
}

/** The longest file name, in bytes, that Linux, macOS and Windows file systems all take. */
const MAX_FOLDER_NAME_BYTES = 255;

/**
 * A monitor name made safe as one folder name: anything but letters, digits,
 * `.`, `_` and `-` becomes `_`, and so do leading dots, so `../x` cannot
 * leave the folder and `.x` does not hide; it is cut, between characters, to
 * the bytes a file name may have, or the monitor's folder could never be made.
 * Distinct names may meet (`a/b`, `a_b`, and names alike in their first 255 bytes).
 */
function folderName(monitor: string): string {
  const safe = monitor.replace(/[^\p{L}\p{N}._-]/gu, '_').replace(/^\.+/, (dots) => '_'.repeat(dots.length));
  if (safe === '') return '_';
  if (Buffer.byteLength(safe) <= MAX_FOLDER_NAME_BYTES) return safe;
  let name = '';
  let bytes = 0;
  for (const character of safe) {
    bytes += Buffer.byteLength(character);
    if (bytes > MAX_FOLDER_NAME_BYTES) break;
    name += character;
  }
  return name;
}

/**
 * The body as one line of JSON text, or undefined where it is not JSON (or,
 * for a row, not an object). Text is kept as written, not re-serialized, so
 * integers past 2^53 keep their digits; line breaks outside JSON strings are
 * only whitespace, and inside them JSON forbids them raw, so replacing them
 * with spaces keeps the value and makes it one line.
 */
function jsonText(body: unknown, objectOnly: boolean): string | undefined {
  if (typeof body !== 'string') {
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body) && !ArrayBuffer.isView(body);
    return body !== undefined && (!objectOnly || isObject) ? JSON.stringify(body) : undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (objectOnly && (typeof value !== 'object' || value === null || Array.isArray(value))) return undefined;
  return body.replace(/[\r\n]/g, ' ');
}

/** A string as JSON, or `null` when there is none. */
function jsonStringOrNull(value: string | undefined): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

function envelope(log: ReadableLogRecord): string {
  const timestamp = new Date(hrTimeToMilliseconds(log.hrTime)).toISOString();
  const severity = log.severityText ?? (log.severityNumber ? SeverityNumber[log.severityNumber] : undefined);
  // A truncated payload is a prefix of its JSON that may still parse (`12` of `123`): keep it a string.
  const truncated = log.attributes[ATTR_PAYLOAD_TRUNCATED] === true;
  const text = typeof log.body === 'string' && !truncated ? jsonText(log.body, false) : undefined;
  // Written as text, not stringified as one object: the body is spliced in as jsonText keeps it (digits
  // and all), and no object is built per record just to be stringified.
  return (
    `{"timestamp":"${timestamp}","severity":${jsonStringOrNull(severity)},` +
    `"trace_id":${jsonStringOrNull(log.spanContext?.traceId)},"span_id":${jsonStringOrNull(log.spanContext?.spanId)},` +
    `"attributes":${JSON.stringify(log.attributes)},"body":${text ?? JSON.stringify(log.body ?? null)}}`
  );
}
