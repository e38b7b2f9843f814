/**
 * The shipped grafana overlay, proven into real backends: `inferlens serve`
 * sends through the collector (base + overlays/grafana.yaml), metrics land in
 * a real Prometheus and logs in a real Loki (built by
 * collector-config/build-prometheus.sh and build-loki.sh, run with the
 * repository's prometheus.yml and loki.yaml), and the Grafana dashboards' and
 * data sources' queries are run against them. Tempo is stood in for by an
 * OTLP receiver that records what the overlay routed to it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { collectorSkipReason } from './support/collector.js';
import type { LokiEntry, LokiProcess } from './support/loki.js';
import { lokiSkipReason, startLoki, waitForLogs } from './support/loki.js';
import type { ReceivedSpan } from './support/otlp-model.js';
import { spanOfCall, spansOfCall } from './support/otlp-model.js';
import type { OtlpReceiver } from './support/otlp-receiver.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';
import type { PrometheusProcess } from './support/prometheus.js';
import { prometheusSkipReason, startPrometheus, waitForQuery } from './support/prometheus.js';
import { dashboardAllValues, dashboardQueries, dataSources } from './support/dashboards.js';
import { IRIS_V1_BODY } from './support/iris-calls.js';
import type { OverlayRoute } from './support/overlay-route.js';
import { sendIrisCalls, startOverlayRoute } from './support/overlay-route.js';

const SUCCESSES = 2;
/**
 * What Grafana puts in place of the dashboards' variables: a rate window that
 * holds several of the test's one-second samples, and each variable's All value.
 */
const DASHBOARD_VARIABLES: Readonly<Record<string, string>> = { $__rate_interval: '1m', ...dashboardAllValues() };
const OK_ID = 'grafana-ok';
const BAD_ID = 'grafana-bad';

/** Whether a Loki entry is a record of the call with this request id. */
const isCall =
  (requestId: string) =>
  (entry: LokiEntry): boolean =>
    entry.labels.inference_request_id === requestId;

describe('grafana overlay into a real Prometheus and Loki (end to end)', function () {
  this.timeout(120_000);

  let dir: string | undefined;
  let prometheus: PrometheusProcess | undefined;
  let loki: LokiProcess | undefined;
  let tempo: OtlpReceiver | undefined;
  let route: OverlayRoute | undefined;

  before(async function () {
    const skip = collectorSkipReason() ?? prometheusSkipReason() ?? lokiSkipReason();
    if (skip !== undefined) {
      console.log(`      skipped: ${skip}`);
      this.skip();
    }
    dir = await mkdtemp(join(tmpdir(), 'inferlens-grafana-e2e-'));
    prometheus = await startPrometheus(join(dir, 'prometheus'));
    loki = await startLoki(join(dir, 'loki'));
    tempo = await startOtlpReceiver();
    route = await startOverlayRoute('grafana.yaml', {
      PROMETHEUS_OTLP_ENDPOINT: prometheus.otlpEndpoint,
      LOKI_OTLP_ENDPOINT: loki.otlpEndpoint,
      TEMPO_OTLP_ENDPOINT: tempo.url,
    });
    await sendIrisCalls(
      route.url,
      Array.from({ length: SUCCESSES }, (_, i) => `${OK_ID}-${i}`),
      BAD_ID,
    );
  });

  after(async () => {
    await route?.stop();
    await prometheus?.stop();
    await loki?.stop();
    await tempo?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('request counts arrive under the names prometheus.yml documents, with service and environment labels', async () => {
    const samples = await waitForQuery(
      prometheus!,
      'inference_server_request_duration_seconds_count{inference_model_name="iris"}',
      (answer) =>
        answer.some((s) => s.metric.inference_outcome === 'success' && Number(s.value) >= SUCCESSES) &&
        answer.some((s) => s.metric.inference_outcome === 'error' && Number(s.value) >= 1),
    );
    for (const sample of samples) {
      expect(sample.metric.job).to.equal('inferlens');
      expect(sample.metric.deployment_environment_name).to.equal('development');
    }
    const failed = samples.find((s) => s.metric.inference_outcome === 'error');
    expect(failed?.metric.inference_protocol).to.equal('open-inference-v2');
    expect(failed?.metric.http_response_status_code).to.equal('400');
  });

  it('every Prometheus query of the Grafana dashboards returns data (test/dashboard-queries.test.ts checks the names it reads)', async () => {
    const queries = dashboardQueries('prometheus', DASHBOARD_VARIABLES);
    expect(queries).to.have.length.above(0);
    for (const { title, expr } of queries) {
      // A quantile of rates over finished traffic is NaN, which is still the series answering.
      const samples = await waitForQuery(prometheus!, expr, (answer) => answer.length > 0);
      expect(samples, `${title}: ${expr}`).to.not.be.empty;
    }
  });

  it("every Loki query of the dashboard finds the failed call's ERROR response record, its answer the log line", async () => {
    const queries = dashboardQueries('loki', DASHBOARD_VARIABLES);
    expect(queries).to.have.length.above(0);
    const span = await callSpan(BAD_ID);
    for (const { title, expr } of queries) {
      const entries = await waitForLogs(loki!, expr, (answer) => answer.some(isCall(BAD_ID)));
      const record = entries.find(isCall(BAD_ID))!;
      expect(record.labels, `${title}: ${expr}`).to.include({
        service_name: 'inferlens',
        severity_text: 'ERROR',
        inference_record_type: 'response',
        inference_model_name: 'iris',
        http_response_status_code: '400',
        trace_id: span.traceId,
      });
      expect(JSON.parse(record.line)).to.have.property('error').that.is.a('string').and.not.empty;
      // Only failures: a successful call's records are not in the panel.
      expect(entries.filter(isCall(`${OK_ID}-0`)), `${title}: ${expr}`).to.be.empty;
    }
  });

  it("the data sources' trace links hold: a span's logs query finds its call's records, whose trace_id links back", async () => {
    const { tempo: tempoSource, loki: lokiSource } = dataSources();
    const { tags, query } = tempoSource.jsonData.tracesToLogsV2;
    const span = await callSpan(`${OK_ID}-0`);
    // What Grafana puts in place of the variables, from the span: each tag as `label="value"`, then its trace id.
    const matchers = tags
      .map(({ key, value }) => {
        const tag = span.resource[key];
        expect(tag, key).to.be.a('string');
        return `${value}="${tag as string}"`;
      })
      .join(', ');
    const logql = query
      .replaceAll('$$', '$')
      .replace('${__tags}', matchers)
      .replace('${__trace.traceId}', span.traceId);
    const entries = await waitForLogs(loki!, logql, (answer) => answer.length >= 2);
    expect(entries.map((entry) => entry.labels.inference_record_type)).to.have.members(['request', 'response']);
    expect(entries.every(isCall(`${OK_ID}-0`))).to.equal(true);
    const request = entries.find((entry) => entry.labels.inference_record_type === 'request')!;
    expect(JSON.parse(request.line)).to.deep.equal(JSON.parse(IRIS_V1_BODY));
    // The Loki side's derived field: the label it reads holds the trace id it opens in Tempo.
    const { derivedFields } = lokiSource.jsonData;
    expect(derivedFields).to.not.be.empty;
    for (const { matcherType, matcherRegex, datasourceUid } of derivedFields) {
      // `label`: matcherRegex names the label; otherwise it is a regex over the log line, which holds no trace id.
      expect(matcherType).to.equal('label');
      expect(datasourceUid).to.equal('tempo');
      for (const entry of entries) expect(entry.labels[matcherRegex]).to.equal(span.traceId);
    }
  });

  it('traces go to the Tempo endpoint, gzip-compressed', async () => {
    await callSpan(BAD_ID);
    expect(new Set(tempo!.requests().map((r) => r.path))).to.deep.equal(new Set(['/v1/traces']));
    for (const request of tempo!.requests()) expect(request.contentEncoding).to.equal('gzip');
  });

  /** The span of a call, once the Tempo stand-in has it. */
  async function callSpan(requestId: string): Promise<ReceivedSpan> {
    await tempo!.waitFor((r) => spansOfCall(r.spans(), requestId).length > 0, 20_000);
    return spanOfCall(tempo!.spans(), requestId);
  }
});
