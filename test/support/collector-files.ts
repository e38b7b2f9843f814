/**
 * Reads what the collector's `file` exporters wrote (test/collector/file-export.yaml):
 * one OTLP/JSON export request per line, a file per signal.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OtlpSignal, ReceivedLogRecord, ReceivedMetric, ReceivedSpan } from './otlp-receiver.js';
import { decodeJsonRequest, flattenLogs, flattenMetrics, flattenSpans } from './otlp-receiver.js';

/** How often the files are read again while waiting. */
const POLL_INTERVAL_MS = 100;
/** How long {@link waitForExported} waits before it gives up and describes what arrived. */
const WAIT_LIMIT_MS = 20_000;

/** Everything the collector has written so far. */
export interface ExportedTelemetry {
  readonly logs: readonly ReceivedLogRecord[];
  readonly spans: readonly ReceivedSpan[];
  readonly metrics: readonly ReceivedMetric[];
}

/** The complete lines of `<dir>/<signal>.jsonl` (none when the file is not there yet). */
async function lines(dir: string, signal: OtlpSignal): Promise<string[]> {
  const text = await readFile(join(dir, `${signal}.jsonl`), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  // The last piece is '' or a line still being written.
  return text.split('\n').slice(0, -1);
}

export async function readExported(dir: string): Promise<ExportedTelemetry> {
  const [logs, traces, metrics] = await Promise.all([lines(dir, 'logs'), lines(dir, 'traces'), lines(dir, 'metrics')]);
  return {
    logs: flattenLogs(logs.map((line) => decodeJsonRequest('logs', line))),
    spans: flattenSpans(traces.map((line) => decodeJsonRequest('traces', line))),
    metrics: flattenMetrics(metrics.map((line) => decodeJsonRequest('metrics', line))),
  };
}

/**
 * Reads the files until `ready` returns true, and resolves with what was read. A `ready`
 * that throws counts as false; after {@link WAIT_LIMIT_MS} it rejects, saying what arrived.
 */
export async function waitForExported(
  dir: string,
  ready: (telemetry: ExportedTelemetry) => boolean,
): Promise<ExportedTelemetry> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    const telemetry = await readExported(dir);
    let lastError: unknown;
    try {
      if (ready(telemetry)) return telemetry;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `; last check: ${lastError.message}` : '';
      throw new Error(
        `the collector's files did not have what was expected within ${WAIT_LIMIT_MS} ms${why}: ` +
          `${telemetry.logs.length} log records, ${telemetry.spans.length} spans, ${telemetry.metrics.length} metrics`,
      );
    }
    await sleep(POLL_INTERVAL_MS);
  }
}
