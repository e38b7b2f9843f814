/**
 * Prometheus built by `collector-config/build-prometheus.sh`, run as a child process with the
 * repository's config (collector-config/prometheus/prometheus.yml) and its OTLP receiver on.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './cli.js';
import { pollUntil } from './poll.js';
import { freePort } from './ports.js';
import type { ServiceProcess } from './service-process.js';
import { startService } from './service-process.js';

const PROMETHEUS_BINARY: string = join(REPOSITORY_ROOT, '.cache/prometheus/prometheus');
const PROMETHEUS_CONFIG: string = join(REPOSITORY_ROOT, 'collector-config/prometheus/prometheus.yml');

/** How often a query is run again while waiting for its answer. */
const QUERY_POLL_INTERVAL_MS = 200;

/** Why Prometheus tests cannot run here, or undefined when the binary exists. */
export function prometheusSkipReason(): string | undefined {
  return existsSync(PROMETHEUS_BINARY)
    ? undefined
    : 'no Prometheus binary; build it with collector-config/build-prometheus.sh';
}

/** One series of an instant query's answer. */
export interface PrometheusSample {
  readonly metric: Readonly<Record<string, string>>;
  /** The value as Prometheus writes it: a decimal string, `NaN` or `+Inf`. */
  readonly value: string;
}

export interface PrometheusProcess extends ServiceProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Where a collector's `otlp_http` exporter sends metrics (it appends /v1/metrics). */
  readonly otlpEndpoint: string;
  /** Runs an instant PromQL query; rejects when Prometheus refuses it. */
  query(promql: string): Promise<PrometheusSample[]>;
}

interface QueryAnswer {
  readonly status: string;
  readonly error?: string;
  readonly data?: { readonly result: readonly { metric: Record<string, string>; value: [number, string] }[] };
}

/** Starts Prometheus on a free loopback port with its data in `dataDir`; resolves once it is ready. */
export async function startPrometheus(dataDir: string): Promise<PrometheusProcess> {
  const url = `http://127.0.0.1:${await freePort()}`;
  const args = [
    `--config.file=${PROMETHEUS_CONFIG}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=${new URL(url).host}`,
    '--web.enable-otlp-receiver',
  ];
  const service = await startService('Prometheus', PROMETHEUS_BINARY, args, `${url}/-/ready`);
  const query = async (promql: string): Promise<PrometheusSample[]> => {
    const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`);
    const answer = (await response.json()) as QueryAnswer;
    if (answer.status !== 'success' || answer.data === undefined) {
      throw new Error(`Prometheus refused ${promql}: ${answer.error ?? response.status}`);
    }
    return answer.data.result.map(({ metric, value }) => ({ metric, value: value[1] }));
  };
  return { ...service, url, otlpEndpoint: `${url}/api/v1/otlp`, query };
}

/** Runs `promql` until its answer satisfies `ready`, and resolves with that answer. */
export async function waitForQuery(
  prometheus: PrometheusProcess,
  promql: string,
  ready: (samples: PrometheusSample[]) => boolean,
): Promise<PrometheusSample[]> {
  return pollUntil({
    ask: () => prometheus.query(promql),
    ready,
    describe: (samples) => `${promql} did not give the expected answer: ${JSON.stringify(samples)}`,
    intervalMs: QUERY_POLL_INTERVAL_MS,
  });
}
