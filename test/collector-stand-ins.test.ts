/**
 * The fluentbit and elasticsearch overlays, whose backends cannot run here:
 * the built collector with base.yaml and the shipped overlay takes
 * `inferlens serve`'s telemetry and sends it into a stand-in that records
 * what the backend would receive. For Fluent Bit's `opentelemetry` input that
 * is an OTLP receiver; for Elasticsearch, a `_bulk` endpoint. They prove the
 * routes and what the exporters write (data streams, document fields), which
 * collector-config/README.md describes; not what the backends make of it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { CliProcess } from './support/cli.js';
import { SERVE_DEMO_MODELS, SERVING_BANNER, startCli } from './support/cli.js';
import type { CollectorProcess } from './support/collector.js';
import {
  COLLECTOR_CONFIG_DIR,
  NO_SELF_METRICS_OVERLAY,
  collectorSkipReason,
  freeCollectorPorts,
  startCollector,
} from './support/collector.js';
import type { BulkDocument, ElasticsearchStandIn } from './support/elasticsearch-stand-in.js';
import { startElasticsearchStandIn } from './support/elasticsearch-stand-in.js';
import { post } from './support/http.js';
import { recordOfCall, spanOfCall, spansOfCall, recordsOfCall } from './support/otlp-model.js';
import type { OtlpReceiver } from './support/otlp-receiver.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';
import { pollUntil } from './support/poll.js';
import { IRIS_V1_BODY, IRIS_V2_BAD_SHAPE } from './support/iris-calls.js';

const SERVE_WITHOUT_FILES = [...SERVE_DEMO_MODELS, '--file-sink', 'off'];
const OK_ID = 'route-ok';
const BAD_ID = 'route-bad';
/** The request duration histogram, which every call counts in. */
const DURATION_METRIC = 'inference.server.request.duration';
const STAND_IN_WAIT_MS = 30_000;
const POLL_INTERVAL_MS = 100;

/** A collector running base.yaml and one shipped overlay, and `inferlens serve` exporting to it. */
interface Route {
  readonly cli: CliProcess;
  stop(): Promise<void>;
}

/**
 * Starts the collector with `overlay` (its `${env:...}` references from
 * `env`) and `inferlens serve` sending to it, then makes one successful and
 * one failing predict call.
 */
async function startRoute(
  overlay: string,
  env: Readonly<Record<string, string>>,
  cliEnv: Readonly<Record<string, string>> = {},
): Promise<Route> {
  const dir = await mkdtemp(join(tmpdir(), 'inferlens-route-'));
  let collector: CollectorProcess | undefined;
  let cli: CliProcess | undefined;
  const stop = async (): Promise<void> => {
    cli?.kill();
    await cli?.exited.catch(() => undefined);
    await collector?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    collector = await startCollector({
      overlays: [join(COLLECTOR_CONFIG_DIR, 'overlays', overlay), NO_SELF_METRICS_OVERLAY],
      ports: await freeCollectorPorts(),
      storageDir: join(dir, 'storage'),
      env,
    });
    cli = startCli([...SERVE_WITHOUT_FILES, '--otlp-endpoint', collector.otlpHttpUrl], {
      INFERLENS_TELEMETRY: 'on',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      ...cliEnv,
    });
    const [, url] = await cli.waitForOutput(SERVING_BANNER);
    const headers = { 'content-type': 'application/json' };
    const ok = await post(`${url}/v1/models/iris:predict`, IRIS_V1_BODY, { ...headers, 'x-request-id': OK_ID });
    expect(ok.status).to.equal(200);
    const bad = await post(`${url}/v2/models/iris/infer`, IRIS_V2_BAD_SHAPE, { ...headers, 'x-request-id': BAD_ID });
    expect(bad.status).to.equal(400);
    return { cli, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

describe('collector overlays into stand-ins for backends that cannot run here', function () {
  this.timeout(120_000);

  before(function () {
    const skip = collectorSkipReason();
    if (skip !== undefined) {
      console.log(`      skipped: ${skip}`);
      this.skip();
    }
  });

  describe("fluentbit: every signal to Fluent Bit's opentelemetry input", () => {
    let fluentBit: OtlpReceiver | undefined;
    let route: Route | undefined;

    before(async () => {
      fluentBit = await startOtlpReceiver();
      route = await startRoute('fluentbit.yaml', { FLUENTBIT_OTLP_ENDPOINT: fluentBit.url });
      await fluentBit.waitFor(
        (r) =>
          [OK_ID, BAD_ID].every((id) => recordsOfCall(r.logRecords(), id).length === 2) &&
          [OK_ID, BAD_ID].every((id) => spansOfCall(r.spans(), id).length === 1) &&
          r.metrics().some((metric) => metric.name === DURATION_METRIC),
        STAND_IN_WAIT_MS,
      );
    });

    after(async () => {
      await route?.stop();
      await fluentBit?.close();
    });

    it('logs, traces and metrics arrive at their OTLP paths as gzip-compressed protobuf', () => {
      const requests = fluentBit!.requests();
      expect(new Set(requests.map((r) => r.path))).to.deep.equal(new Set(['/v1/logs', '/v1/traces', '/v1/metrics']));
      for (const request of requests) {
        expect(request.contentType).to.equal('application/x-protobuf');
        expect(request.contentEncoding).to.equal('gzip');
      }
    });

    it("the failed call's ERROR record carries its answer and its span's trace id", () => {
      const record = recordOfCall(fluentBit!.logRecords(), BAD_ID, 'response');
      const span = spanOfCall(fluentBit!.spans(), BAD_ID);
      expect(record.severityText).to.equal('ERROR');
      expect(JSON.parse(record.body as string))
        .to.have.property('error')
        .that.is.a('string');
      expect(record.traceId).to.equal(span.traceId);
      expect(record.attributes['http.response.status_code']).to.equal(400);
    });
  });

  describe('elasticsearch: every signal to data streams in the otel mapping mode', () => {
    let elasticsearch: ElasticsearchStandIn | undefined;
    const routes: Route[] = [];
    /** Every document, once the calls of both servers have arrived. */
    let documents: BulkDocument[] = [];

    /** The documents of a call (log records and spans carry its request id). */
    const ofCall = (id: string, prefix: string): BulkDocument[] =>
      documents.filter(
        (document) => document.index.startsWith(prefix) && attributesOf(document)['inference.request.id'] === id,
      );

    before(async () => {
      elasticsearch = await startElasticsearchStandIn();
      const env = { ELASTICSEARCH_ENDPOINT: elasticsearch.url };
      // A second server names its data stream namespace, as collector-config/README.md shows.
      routes.push(await startRoute('elasticsearch.yaml', env));
      routes.push(
        await startRoute('elasticsearch.yaml', env, { OTEL_RESOURCE_ATTRIBUTES: 'data_stream.namespace=prod' }),
      );
      documents = await pollUntil({
        ask: () => Promise.resolve(elasticsearch!.documents()),
        // Each server's calls whole (two records and a span each), and its metrics.
        ready: (all) =>
          ['default', 'prod'].every((namespace) => {
            const count = (type: string, id: string): number =>
              all.filter(
                (document) =>
                  document.index === `${type}-generic.otel-${namespace}` &&
                  attributesOf(document)['inference.request.id'] === id,
              ).length;
            const calls = [OK_ID, BAD_ID].every((id) => count('logs', id) === 2 && count('traces', id) === 1);
            return calls && all.some((document) => document.index === `metrics-generic.otel-${namespace}`);
          }),
        describe: (all) =>
          `not every call's documents arrived: ${all.length} documents in ${[...new Set(all.map((d) => d.index))].join(', ')}`,
        intervalMs: POLL_INTERVAL_MS,
        limitMs: STAND_IN_WAIT_MS,
      });
    });

    after(async () => {
      await Promise.all(routes.map((route) => route.stop()));
      await elasticsearch?.close();
    });

    it('writes only to logs-, traces- and metrics-generic.otel-<namespace> data streams, with create actions', () => {
      expect(new Set(documents.map((document) => document.index))).to.deep.equal(
        new Set(
          ['default', 'prod'].flatMap((ns) => ['logs', 'traces', 'metrics'].map((t) => `${t}-generic.otel-${ns}`)),
        ),
      );
      expect(new Set(documents.map((document) => document.action))).to.deep.equal(new Set(['create']));
    });

    it("keeps the payload as body.text and the attribute names as sent: the failed call's ERROR record", () => {
      const records = ofCall(BAD_ID, 'logs-generic.otel-');
      // Both servers made this call: two request and two response records.
      expect(records).to.have.length(4);
      const response = records.find((document) => attributesOf(document)['inference.record.type'] === 'response')!;
      expect(response.source.severity_text).to.equal('ERROR');
      const body = response.source.body as { text?: unknown };
      expect(JSON.parse(body.text as string))
        .to.have.property('error')
        .that.is.a('string');
      expect(attributesOf(response)).to.include({ 'inference.model.name': 'iris', 'http.response.status_code': 400 });
      const spanTraceIds = ofCall(BAD_ID, 'traces-generic.otel-').map((span) => span.source.trace_id);
      expect(spanTraceIds).to.include(response.source.trace_id);
    });

    it("a successful call's request record holds the request payload", () => {
      const request = ofCall(OK_ID, 'logs-generic.otel-default').find(
        (document) => attributesOf(document)['inference.record.type'] === 'request',
      )!;
      expect(JSON.parse((request.source.body as { text: string }).text)).to.deep.equal(JSON.parse(IRIS_V1_BODY));
    });
  });
});

/** A document's `attributes` object (log records and spans), empty when it has none. */
function attributesOf(document: BulkDocument): Record<string, unknown> {
  return (document.source.attributes ?? {}) as Record<string, unknown>;
}
