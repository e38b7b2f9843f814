/**
 * The fluentbit and elasticsearch overlays, whose backends cannot run here:
 * the built collector with base.yaml and the shipped overlay takes
 * `inferlens serve`'s telemetry and sends it into a stand-in that records
 * what the backend would receive. For Fluent Bit's `opentelemetry` input that
 * is an OTLP receiver; for Elasticsearch, a `_bulk` endpoint. They prove the
 * routes and what the exporters write (data streams, document fields), which
 * collector-config/README.md describes; not what the backends make of it.
 */
import { expect } from 'chai';
import { collectorSkipReason } from './support/collector.js';
import type { BulkDocument, ElasticsearchStandIn } from './support/elasticsearch-stand-in.js';
import { startElasticsearchStandIn } from './support/elasticsearch-stand-in.js';
import { IRIS_V1_BODY } from './support/iris-calls.js';
import { recordOfCall, recordsOfCall, spanOfCall, spansOfCall } from './support/otlp-model.js';
import type { OtlpReceiver } from './support/otlp-receiver.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';
import type { OverlayRoute } from './support/overlay-route.js';
import { sendIrisCalls, startOverlayRoute } from './support/overlay-route.js';
import { pollUntil } from './support/poll.js';

const OK_ID = 'route-ok';
const BAD_ID = 'route-bad';
/** The request duration histogram, which every call counts in. */
const DURATION_METRIC = 'inference.server.request.duration';
const STAND_IN_WAIT_MS = 30_000;
const POLL_INTERVAL_MS = 100;

/** The collector with `overlay` and the server sending to it, once one successful and one failing call went through. */
async function startRoute(
  overlay: string,
  env: Readonly<Record<string, string>>,
  cliEnv: Readonly<Record<string, string>> = {},
): Promise<OverlayRoute> {
  const route = await startOverlayRoute(overlay, env, cliEnv);
  try {
    await sendIrisCalls(route.url, [OK_ID], BAD_ID);
  } catch (error) {
    await route.stop();
    throw error;
  }
  return route;
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
    let route: OverlayRoute | undefined;

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
    const routes: OverlayRoute[] = [];
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
