/**
 * Elasticsearch installed by `collector-config/install-elasticsearch.sh` (the
 * integration-test distribution: the server and its core modules), run as a
 * child process: single node, loopback ports, no security, data and config
 * under a temporary folder. Elasticsearch refuses to run as root; as root it
 * is started in a user namespace where it is an ordinary user that still
 * owns the files root owns.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { REPOSITORY_ROOT } from './cli.js';
import { pollUntil } from './poll.js';
import { freePort } from './ports.js';
import type { ServiceProcess } from './service-process.js';
import { startService } from './service-process.js';

const ELASTICSEARCH_HOME: string = join(REPOSITORY_ROOT, '.cache/elasticsearch');
const ELASTICSEARCH_BINARY: string = join(ELASTICSEARCH_HOME, 'bin/elasticsearch');
/** Enough for a handful of documents; Elasticsearch's own default is half the machine's memory. */
const HEAP = '512m';
/** The user a root test runs Elasticsearch as, inside its user namespace (root outside it). */
const NAMESPACE_USER = '1000';
/** How often a search is run again while waiting for its answer. */
const SEARCH_POLL_INTERVAL_MS = 200;
/** Documents one search returns at most. */
const SEARCH_SIZE = 1000;

/**
 * The parts of Elasticsearch's built-in `logs-otel@template` and
 * `traces-otel@template` (x-pack's otel-data plugin, which this distribution
 * lacks) that collector-config/README.md relies on: data streams for
 * `logs-*.otel-*` and `traces-*.otel-*`, `attributes` and
 * `resource.attributes` as passthrough objects (each attribute searchable by
 * its own name too), string fields as keywords, and the log body's
 * `body.text` as text.
 */
const OTEL_INDEX_TEMPLATES: Readonly<Record<string, string>> = { 'logs-otel': 'logs', 'traces-otel': 'traces' };

function otelIndexTemplate(type: string): object {
  return {
    index_patterns: [`${type}-*.otel-*`],
    data_stream: {},
    priority: 150,
    template: {
      mappings: {
        dynamic_templates: [
          {
            all_strings_to_keywords: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } },
          },
        ],
        properties: {
          attributes: { type: 'passthrough', dynamic: true, priority: 20 },
          resource: { properties: { attributes: { type: 'passthrough', dynamic: true, priority: 40 } } },
          ...(type === 'logs' ? { body: { properties: { text: { type: 'text' } } } } : {}),
        },
      },
    },
  };
}

/** The Java Elasticsearch runs on: ES_JAVA_HOME, JAVA_HOME, or the `java` on PATH. */
function javaHome(): string | undefined {
  const configured = process.env.ES_JAVA_HOME || process.env.JAVA_HOME;
  if (configured) return configured;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const java = join(dir, 'java');
    if (existsSync(java)) return dirname(dirname(realpathSync(java)));
  }
  return undefined;
}

/** Whether this process runs as root, where Elasticsearch must be started in a user namespace. */
const isRoot = (): boolean => process.getuid?.() === 0;

/** The command and arguments that run `args` as {@link NAMESPACE_USER} in a new user namespace. */
function inUserNamespace(args: readonly string[]): [string, string[]] {
  return ['unshare', ['--user', `--map-user=${NAMESPACE_USER}`, `--map-group=${NAMESPACE_USER}`, ...args]];
}

/** Why Elasticsearch tests cannot run here, or undefined when they can. */
export function elasticsearchSkipReason(): string | undefined {
  if (!existsSync(ELASTICSEARCH_BINARY)) {
    return 'no Elasticsearch; install it with collector-config/install-elasticsearch.sh';
  }
  if (javaHome() === undefined) return 'no Java for Elasticsearch (set ES_JAVA_HOME or JAVA_HOME)';
  if (isRoot() && spawnSync(...inUserNamespace(['true'])).status !== 0) {
    return 'running as root, which Elasticsearch refuses, and no user namespace to run it in (unshare --user)';
  }
  return undefined;
}

/** One document a search found. */
export interface ElasticsearchHit {
  /** The backing index: `.ds-<data stream>-<date>-<generation>` for a data stream. */
  readonly index: string;
  readonly source: Readonly<Record<string, unknown>>;
}

/** A log record's or span's `attributes` object, as the exporter writes it in `otel` mode; empty when it has none. */
export function attributesOf(document: {
  readonly source: Readonly<Record<string, unknown>>;
}): Record<string, unknown> {
  return (document.source.attributes ?? {}) as Record<string, unknown>;
}

export interface ElasticsearchProcess extends ServiceProcess {
  /** `http://127.0.0.1:<port>`, for the exporter's `endpoints`. */
  readonly url: string;
  /**
   * Runs a Lucene query string (`query_string`, with `*` as the default
   * field) over `target`, a data stream, index or pattern; no match, or no
   * such target yet, is an empty answer. Rejects when Elasticsearch refuses
   * the query.
   */
  search(target: string, query: string): Promise<ElasticsearchHit[]>;
}

interface SearchAnswer {
  readonly hits?: { readonly hits: readonly { _index: string; _source: Record<string, unknown> }[] };
}

async function requestJson(method: string, url: string, body: object): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`Elasticsearch answered ${method} ${url} with ${response.status}: ${text}`);
  return JSON.parse(text);
}

/**
 * Starts Elasticsearch with its data, logs and a copy of its config under
 * `dataDir`, installs {@link OTEL_INDEX_TEMPLATES}, and resolves once it
 * answers.
 */
export async function startElasticsearch(dataDir: string): Promise<ElasticsearchProcess> {
  const [httpPort, transportPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${httpPort}`;
  const config = join(dataDir, 'config');
  // Elasticsearch writes into its config folder (the keystore): a copy keeps the installed one untouched.
  await cp(join(ELASTICSEARCH_HOME, 'config'), config, { recursive: true });
  const settings = [
    'discovery.type=single-node',
    'xpack.security.enabled=false',
    'network.host=127.0.0.1',
    `http.port=${httpPort}`,
    `transport.port=${transportPort}`,
    `path.data=${join(dataDir, 'data')}`,
    `path.logs=${join(dataDir, 'logs')}`,
    // A nearly full disk would otherwise make every index read-only.
    'cluster.routing.allocation.disk.threshold_enabled=false',
  ].flatMap((setting) => ['-E', setting]);
  const [binary, args] = isRoot()
    ? inUserNamespace([ELASTICSEARCH_BINARY, ...settings])
    : [ELASTICSEARCH_BINARY, settings];
  const service = await startService('Elasticsearch', binary, args, `${url}/_cluster/health`, {
    ES_JAVA_HOME: javaHome()!,
    ES_PATH_CONF: config,
    ES_JAVA_OPTS: `-Xms${HEAP} -Xmx${HEAP}`,
  });
  try {
    for (const [name, type] of Object.entries(OTEL_INDEX_TEMPLATES)) {
      await requestJson('PUT', `${url}/_index_template/${name}`, otelIndexTemplate(type));
    }
  } catch (error) {
    await service.stop();
    throw error;
  }
  const search = async (target: string, query: string): Promise<ElasticsearchHit[]> => {
    const parameters = new URLSearchParams({ ignore_unavailable: 'true', allow_no_indices: 'true' });
    const answer = (await requestJson('POST', `${url}/${encodeURIComponent(target)}/_search?${parameters.toString()}`, {
      size: SEARCH_SIZE,
      query: { query_string: { query } },
    })) as SearchAnswer;
    return (answer.hits?.hits ?? []).map((hit) => ({ index: hit._index, source: hit._source }));
  };
  return { ...service, url, search };
}

/** A search's hits, or why it was refused. */
type SearchOutcome = { readonly hits: ElasticsearchHit[]; readonly refusal?: string };

/**
 * Runs a search until its answer satisfies `ready`, and resolves with that
 * answer. A refusal counts as not ready yet: a data stream's shard answers
 * 503 for a moment after the first document creates it.
 */
export async function waitForDocuments(
  elasticsearch: ElasticsearchProcess,
  target: string,
  query: string,
  ready: (hits: ElasticsearchHit[]) => boolean,
): Promise<ElasticsearchHit[]> {
  const outcome = await pollUntil<SearchOutcome>({
    ask: () =>
      elasticsearch.search(target, query).then(
        (hits) => ({ hits }),
        (error: unknown) => ({ hits: [], refusal: error instanceof Error ? error.message : String(error) }),
      ),
    ready: ({ hits, refusal }) => refusal === undefined && ready(hits),
    describe: ({ hits, refusal }) =>
      `${target} ${query} did not give the expected answer: ${refusal ?? JSON.stringify(hits)}`,
    intervalMs: SEARCH_POLL_INTERVAL_MS,
  });
  return outcome.hits;
}
