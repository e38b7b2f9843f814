/**
 * Reads what the collector's `file` exporter wrote (collector-config/overlays/debug.yaml):
 * one OTLP/JSON export request per line, every signal in one file.
 */
import { readFile } from 'node:fs/promises';
import { decodeJsonRequest } from './otlp-codec.js';
import type { OtlpSignal, ReceivedLogRecord, ReceivedMetric, ReceivedSpan } from './otlp-model.js';
import { flattenLogs, flattenMetrics, flattenSpans } from './otlp-model.js';
import { pollUntil } from './poll.js';

/** How often the file is read again while waiting. */
const POLL_INTERVAL_MS = 100;
/** How long {@link waitForExported} waits before it gives up and describes what arrived. */
const WAIT_LIMIT_MS = 20_000;
/** The top-level key of each signal's export request in OTLP/JSON. */
const SIGNAL_KEYS: Readonly<Record<string, OtlpSignal>> = {
  resourceLogs: 'logs',
  resourceSpans: 'traces',
  resourceMetrics: 'metrics',
};

/** Everything the collector has written so far. */
export interface ExportedTelemetry {
  readonly logs: readonly ReceivedLogRecord[];
  readonly spans: readonly ReceivedSpan[];
  readonly metrics: readonly ReceivedMetric[];
}

/** The file's complete lines, by signal (none when the file is not there yet). */
async function linesBySignal(file: string): Promise<Record<OtlpSignal, string[]>> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const bySignal: Record<OtlpSignal, string[]> = { logs: [], traces: [], metrics: [] };
  // The last piece is '' or a line still being written.
  for (const line of text.split('\n').slice(0, -1)) {
    const key = Object.keys(JSON.parse(line) as object)[0];
    const signal = SIGNAL_KEYS[key];
    if (signal === undefined) throw new Error(`a line of ${file} is no OTLP export request: ${line.slice(0, 80)}`);
    bySignal[signal].push(line);
  }
  return bySignal;
}

async function readExported(file: string): Promise<ExportedTelemetry> {
  const { logs, traces, metrics } = await linesBySignal(file);
  return {
    logs: flattenLogs(logs.map((line) => decodeJsonRequest('logs', line))),
    spans: flattenSpans(traces.map((line) => decodeJsonRequest('traces', line))),
    metrics: flattenMetrics(metrics.map((line) => decodeJsonRequest('metrics', line))),
  };
}

/**
 * Reads the file until `ready` returns true, and resolves with what was read. A `ready`
 * that throws counts as false; after {@link WAIT_LIMIT_MS} it rejects, saying what arrived.
 */
export async function waitForExported(
  file: string,
  ready: (telemetry: ExportedTelemetry) => boolean,
): Promise<ExportedTelemetry> {
  return pollUntil({
    ask: () => readExported(file),
    ready,
    describe: (telemetry) =>
      "the collector's file did not have what was expected: " +
      `${telemetry.logs.length} log records, ${telemetry.spans.length} spans, ${telemetry.metrics.length} metrics`,
    intervalMs: POLL_INTERVAL_MS,
    limitMs: WAIT_LIMIT_MS,
  });
}
