/**
 * Loki built by `collector-config/build-loki.sh`, run as a child process with
 * the repository's config (collector-config/loki/loki.yaml). Only what must
 * differ in a test is given as flags, which Loki lets override the file:
 * loopback ports, data under a temporary folder, and no wait before ready.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './cli.js';
import { pollUntil } from './poll.js';
import { freePort } from './ports.js';
import type { ServiceProcess } from './service-process.js';
import { startService } from './service-process.js';

const LOKI_BINARY: string = join(REPOSITORY_ROOT, '.cache/loki/loki');
const LOKI_CONFIG: string = join(REPOSITORY_ROOT, 'collector-config/loki/loki.yaml');

/** How often a query is run again while waiting for its answer. */
const QUERY_POLL_INTERVAL_MS = 200;
/** Entries one query returns at most; Loki's default is 100. */
const QUERY_LIMIT = 1000;

/** Why Loki tests cannot run here, or undefined when the binary exists. */
export function lokiSkipReason(): string | undefined {
  return existsSync(LOKI_BINARY) ? undefined : 'no Loki binary; build it with collector-config/build-loki.sh';
}

/** One log line of a query's answer. */
export interface LokiEntry {
  /** The stream's labels with the line's structured metadata and parsed fields, as Loki answers them. */
  readonly labels: Readonly<Record<string, string>>;
  readonly line: string;
}

export interface LokiProcess extends ServiceProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Where a collector's `otlp_http` exporter sends logs (it appends /v1/logs). */
  readonly otlpEndpoint: string;
  /** Runs a LogQL log query over the last hour, oldest line first; rejects when Loki refuses it. */
  query(logql: string): Promise<LokiEntry[]>;
}

interface QueryAnswer {
  readonly status?: string;
  readonly data?: {
    readonly result: readonly { stream: Record<string, string>; values: readonly [string, string][] }[];
  };
}

/** Starts Loki on free loopback ports with its data in `dataDir`; resolves once it is ready. */
export async function startLoki(dataDir: string): Promise<LokiProcess> {
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${httpPort}`;
  const args = [
    `-config.file=${LOKI_CONFIG}`,
    '-server.http-listen-address=127.0.0.1',
    `-server.http-listen-port=${httpPort}`,
    '-server.grpc-listen-address=127.0.0.1',
    `-server.grpc-listen-port=${grpcPort}`,
    `-common.path-prefix=${dataDir}`,
    `-common.storage.filesystem.chunk-directory=${join(dataDir, 'chunks')}`,
    `-common.storage.filesystem.rules-directory=${join(dataDir, 'rules')}`,
    `-compactor.working-directory=${join(dataDir, 'compactor')}`,
    // The ingester otherwise waits 15 s after starting before it says it is ready.
    '-ingester.min-ready-duration=0s',
  ];
  const service = await startService('Loki', LOKI_BINARY, args, `${url}/ready`);
  const query = async (logql: string): Promise<LokiEntry[]> => {
    const parameters = new URLSearchParams({ query: logql, limit: String(QUERY_LIMIT), direction: 'forward' });
    const response = await fetch(`${url}/loki/api/v1/query_range?${parameters.toString()}`);
    const body = await response.text();
    const answer = JSON.parse(response.ok ? body : '{}') as QueryAnswer;
    if (answer.status !== 'success' || answer.data === undefined) {
      throw new Error(`Loki refused ${logql}: ${response.status} ${body}`);
    }
    return answer.data.result.flatMap(({ stream, values }) => values.map(([, line]) => ({ labels: stream, line })));
  };
  return { ...service, url, otlpEndpoint: `${url}/otlp`, query };
}

/** Runs `logql` until its answer satisfies `ready`, and resolves with that answer. */
export async function waitForLogs(
  loki: LokiProcess,
  logql: string,
  ready: (entries: LokiEntry[]) => boolean,
): Promise<LokiEntry[]> {
  return pollUntil({
    ask: () => loki.query(logql),
    ready,
    describe: (entries) => `${logql} did not give the expected answer: ${JSON.stringify(entries)}`,
    intervalMs: QUERY_POLL_INTERVAL_MS,
  });
}
