/**
 * The fluentbit and elasticsearch overlays, into stand-ins that record what
 * the backend would receive: for Fluent Bit's `opentelemetry` input (which
 * cannot run here) an OTLP receiver; for Elasticsearch, a `_bulk` endpoint.
 * They prove the routes and what the exporters write (data streams,
 * actions, metric documents), which collector-config/README.md describes.
 * What a real Elasticsearch makes of the log records and spans is proven in
 * collector-elasticsearch.test.ts; its metrics only here, since the
 * Elasticsearch that runs here has no `histogram` field.
 */
import { expect } from 'chai';
import { collectorSkipReason } from './support/collector.js';
import { attributesOf } from './support/elasticsearch.js';
import type { BulkDocument, ElasticsearchStandIn } from './support/elasticsearch-stand-in.js';
import { startElasticsearchStandIn } from './support/elasticsearch-stand-in.js';
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
/** One server with no namespace set, one naming `prod`, as collector-config/README.md shows. */
const NAMESPACES = ['default', 'prod'];
const STAND_IN_WAIT_MS = 30_000;
const POLL_INTERVAL_MS = 100;

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
      route = await startOverlayRoute('fluentbit.yaml', { FLUENTBIT_OTLP_ENDPOINT: fluentBit.url });
      await sendIrisCalls(route.url, [OK_ID], BAD_ID);
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

    before(async () => {
      elasticsearch = await startElasticsearchStandIn();
      const env = { ELASTICSEARCH_ENDPOINT: elasticsearch.url };
      for (const namespace of NAMESPACES) {
        const cliEnv: Record<string, string> =
          namespace === 'default' ? {} : { OTEL_RESOURCE_ATTRIBUTES: `data_stream.namespace=${namespace}` };
        const route = await startOverlayRoute('elasticsearch.yaml', env, cliEnv);
        routes.push(route);
        await sendIrisCalls(route.url, [OK_ID], BAD_ID);
      }
      documents = await pollUntil({
        ask: () => Promise.resolve(elasticsearch!.documents()),
        // Each server's calls whole (two records and a span each), and its metrics.
        ready: (all) =>
          NAMESPACES.every((namespace) => {
            const count = (type: string, id: string): number =>
              all.filter(
                (document) =>
                  document.index === `${type}-generic.otel-${namespace}` &&
                  attributesOf(document)['inference.request.id'] === id,
              ).length;
            const calls = [OK_ID, BAD_ID].every((id) => count('logs', id) === 2 && count('traces', id) === 1);
            return calls && successDurationCount(all, namespace) > 0;
          }),
        describe: (all) =>
          `not every call's documents arrived: ${all.length} documents in ${[...new Set(all.map((d) => d.index))].join(', ')}; ` +
          `successful calls in the request duration histogram: ${NAMESPACES.map((ns) => successDurationCount(all, ns)).join(' and ')}`,
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
        new Set(NAMESPACES.flatMap((ns) => ['logs', 'traces', 'metrics'].map((t) => `${t}-generic.otel-${ns}`))),
      );
      expect(new Set(documents.map((document) => document.action))).to.deep.equal(new Set(['create']));
    });

    it("sends the middleware's histograms as delta, so each call counts once in Elasticsearch", () => {
      // Elasticsearch keeps histograms with delta temporality only; the exporter drops cumulative ones.
      for (const namespace of NAMESPACES) {
        expect(successDurationCount(documents, namespace), namespace).to.equal(1);
      }
    });
  });
});

/** A metric document's delta of one histogram: its `counts`, none when the document holds another metric. */
function histogramCounts(document: BulkDocument, metric: string): number[] {
  const metrics = (document.source.metrics ?? {}) as Record<string, { counts?: number[] }>;
  return metrics[metric]?.counts ?? [];
}

/** The successful (KServe V1) calls the request duration histogram counted in `namespace`, summed over its deltas. */
function successDurationCount(documents: readonly BulkDocument[], namespace: string): number {
  return documents
    .filter(
      (document) =>
        document.index === `metrics-generic.otel-${namespace}` &&
        attributesOf(document)['inference.protocol'] === 'kserve-v1',
    )
    .flatMap((document) => histogramCounts(document, DURATION_METRIC))
    .reduce((sum, count) => sum + count, 0);
}
