/**
 * The Grafana dashboards and data sources against what the middleware
 * writes, without Prometheus, Loki or Tempo: every series, label and label
 * value a Prometheus query names must be one the middleware's metrics become
 * once Prometheus's OTLP receiver translates them
 * (collector-config/prometheus/prometheus.yml), aggregated over the
 * `instance` label, which is one process of the service; every label the
 * Loki query and the trace links name must be one Loki makes of the records
 * and spans a real `inferlens serve` sends; and the variables must keep every call, one
 * that names no model included. The names, labels and values come from the
 * middleware's metric definitions and from what its metrics, records and
 * spans carry, not from lists here. test/collector-grafana.test.ts runs the
 * same queries against a real Prometheus and Loki where those are built.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { BoundedExportQueue, exportQueueOptions } from '../packages/express/src/export/bounded-queue.js';
import { AggregatedCallMetrics } from '../packages/express/src/metrics/aggregated-metrics.js';
import type { CallMeasurement } from '../packages/express/src/metrics/call-metrics.js';
import {
  ATTR_MODEL_NAME,
  ATTR_OUTCOME,
  METRIC_REQUEST_DURATION,
  OUTCOME,
  PROTOCOL,
} from '../packages/express/src/semconv.js';
import { SCOPE_NAME } from '../packages/express/src/signals/signals.js';
import { REPOSITORY_ROOT } from './support/cli.js';
import { post } from './support/http.js';
import { IRIS_V1_BODY, IRIS_V2_BAD_SHAPE } from './support/iris-calls.js';
import type { ReceivedDataPoint, ReceivedLogRecord } from './support/otlp-model.js';
import { recordOfCall, recordsOfCall, spanOfCall } from './support/otlp-model.js';
import type { OtlpReceiver } from './support/otlp-receiver.js';
import { DEMO_REPOSITORY, serveRepository } from './support/server.js';
import { useOtlpReceiver } from './support/use-otlp-receiver.js';
import type { InferenceServer } from '../packages/server/src/index.js';
import {
  dashboardAllValues,
  dashboardQueries,
  dashboardVariables,
  dataSources,
  labelNamesIn,
  logqlLabelNames,
  labelMatchers,
  matches,
  prometheusSeries,
  seriesKeeping,
  seriesNamesIn,
} from './support/dashboards.js';

const PROMETHEUS_CONFIG = join(REPOSITORY_ROOT, 'collector-config/prometheus/prometheus.yml');
/** The label Prometheus's OTLP receiver makes of `service.instance.id`: one value per process of a service. */
const INSTANCE_LABEL = 'instance';
/** Labels Prometheus's OTLP receiver makes from the resource: `service.name` (and namespace), `service.instance.id`. */
const RESOURCE_LABELS = ['job', INSTANCE_LABEL];
/** The label of a histogram's `_bucket` series: its upper bound. */
const BUCKET_LABEL = 'le';

/** An attribute's Prometheus label name: every character other than a letter, digit or `_` becomes `_`. */
function labelName(attribute: string): string {
  return attribute.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** A call that sets every attribute a call's metrics can carry. */
const FULL_CALL: CallMeasurement = {
  protocol: PROTOCOL.OPEN_INFERENCE_V2,
  model: 'iris',
  version: '1',
  status: 200,
  failed: false,
  durationSeconds: 0.002,
  batchSize: 1,
  requestBytes: 120,
  responseBytes: 80,
  modelExecutionSeconds: 0.001,
};

/**
 * The label names of each metric the middleware writes (by OTLP name), as it
 * writes them: one call, one telemetry error and one export queue through the
 * middleware's own aggregation, their attributes' label names, plus the
 * resource's labels prometheus.yml promotes.
 */
async function labelsByMetric(): Promise<Map<string, Set<string>>> {
  const queue = new BoundedExportQueue<unknown>(
    () => Promise.resolve({ code: ExportResultCode.SUCCESS }),
    exportQueueOptions(),
    { warnOnce: () => undefined },
    'logs to otlp',
  );
  const metrics = new AggregatedCallMetrics(
    resourceFromAttributes({ 'service.name': 'inferlens' }),
    { name: SCOPE_NAME, version: '0.0.0' },
    [{ signal: 'logs', destination: 'otlp', queue }],
  );
  metrics.started(FULL_CALL.protocol);
  metrics.ended(FULL_CALL);
  metrics.telemetryError();
  const { resourceMetrics } = await metrics.collect();
  await queue.shutdown();

  const config = parseYaml(readFileSync(PROMETHEUS_CONFIG, 'utf8')) as {
    otlp?: { promote_resource_attributes?: string[] };
  };
  const resourceLabels = [...RESOURCE_LABELS, ...(config.otlp?.promote_resource_attributes ?? []).map(labelName)];
  const labels = new Map<string, Set<string>>();
  for (const metric of resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)) {
    const attributes = metric.dataPoints.flatMap((point) => Object.keys(point.attributes));
    labels.set(metric.descriptor.name, new Set([...resourceLabels, ...attributes.map(labelName)]));
  }
  return labels;
}

/** The labels the series an expression reads carry (`le` too on a `_bucket`); names no metric becomes add none. */
function labelsOfSeriesIn(expr: string, labels: ReadonlyMap<string, ReadonlySet<string>>): Set<string> {
  const series = prometheusSeries();
  return new Set(
    seriesNamesIn(expr).flatMap((name) => {
      const metric = series.get(name);
      if (metric === undefined) return [];
      expect(labels.has(metric.name), `${metric.name} is written`).to.equal(true);
      return [...labels.get(metric.name)!, ...(name.endsWith('_bucket') ? [BUCKET_LABEL] : [])];
    }),
  );
}

/**
 * The labels Loki gives a record it takes over OTLP (loki/loki.yaml), with
 * their values: its resource's and its own attributes, dots to underscores
 * (index labels or structured metadata), and its severity, trace and span id.
 */
function lokiLabelsOf(record: ReceivedLogRecord): Map<string, string> {
  const attributes = Object.entries({ ...record.resource, ...record.attributes });
  return new Map([
    ['severity_text', record.severityText],
    ['trace_id', record.traceId],
    ['span_id', record.spanId],
    // A string as it is; a number or a bool as its JSON text, as Loki writes it.
    ...attributes.map(
      ([name, value]) =>
        [labelName(name), typeof value === 'string' ? value : JSON.stringify(value)] as [string, string],
    ),
  ]);
}

describe('Grafana dashboards against the telemetry the middleware writes', () => {
  const queries = dashboardQueries('prometheus');

  it('every Prometheus query names only series the middleware exports, as prometheus.yml translates them', () => {
    expect(queries).to.have.length.above(0);
    const known = [...prometheusSeries().keys()];
    for (const { title, expr } of queries) {
      const names = seriesNamesIn(expr);
      expect(names, `${title}: ${expr}`).to.not.be.empty;
      for (const name of names) expect(known, `${title}: ${expr}`).to.include(name);
    }
  });

  it('every label a Prometheus query matches, groups by or shows in its legend is one its series carry', async () => {
    const labels = await labelsByMetric();
    for (const { title, expr, legendFormat } of queries) {
      const carried = [...labelsOfSeriesIn(expr, labels)];
      for (const label of labelNamesIn(expr, legendFormat)) {
        expect(carried, `${title}: ${label} in ${expr}`).to.include(label);
      }
    }
  });

  it("every Prometheus query, a trace link's included, aggregates the instance away: the processes of a service add up", () => {
    const links = dataSources().tempo.jsonData.tracesToMetrics.queries.map(({ name, query }) => ({
      title: name,
      expr: query,
    }));
    for (const { title, expr } of [...queries, ...links]) {
      expect(seriesKeeping(expr, INSTANCE_LABEL), `${title}: ${expr}`).to.be.empty;
    }
  });

  describe('calls through inferlens serve, to an OTLP receiver', () => {
    let server: InferenceServer | undefined;
    after(() => server?.close());
    // After the server's hook: its shutdown's last export finds the receiver still open.
    const receiver = useOtlpReceiver();
    const NO_MODEL_ID = 'no-model';
    const BAD_SHAPE_ID = 'bad-shape';
    const SERVICE_NAME = 'shop-api';
    const durations = (): ReceivedDataPoint[] =>
      receiver()
        .metrics()
        .filter((metric) => metric.name === METRIC_REQUEST_DURATION)
        .flatMap((metric) => metric.dataPoints);
    const failedDurations = (): ReceivedDataPoint[] =>
      durations().filter((point) => point.attributes[ATTR_OUTCOME] === OUTCOME.ERROR);
    const failedRecord = (requestId: string) => (r: OtlpReceiver) =>
      recordsOfCall(r.logRecords(), requestId).some((record) => record.severityText === 'ERROR');

    before(async () => {
      server = await serveRepository(DEMO_REPOSITORY, {
        telemetry: {
          // Not the default: the dashboard is for whatever service the middleware is in.
          serviceName: SERVICE_NAME,
          otlp: {
            endpoint: receiver().url,
            protocol: 'http/json',
            compression: 'none',
            metricExportIntervalMillis: 100,
          },
          queue: { scheduledDelayMillis: 20 },
          fileSink: { enabled: false },
        },
      });
      const headers = { 'content-type': 'application/json' };
      const noModel = await post(`${server.url}/openai/v1/embeddings`, JSON.stringify({ input: 'a cat' }), {
        ...headers,
        'x-request-id': NO_MODEL_ID,
      });
      expect(noModel.status).to.equal(400);
      const badShape = await post(`${server.url}/v2/models/iris/infer`, IRIS_V2_BAD_SHAPE, {
        ...headers,
        'x-request-id': BAD_SHAPE_ID,
      });
      expect(badShape.status).to.equal(400);
      const ok = await post(`${server.url}/v1/models/iris:predict`, IRIS_V1_BODY, headers);
      expect(ok.status).to.equal(200);
      const succeeded = (): boolean => durations().some((point) => point.attributes[ATTR_OUTCOME] === OUTCOME.SUCCESS);
      await receiver().waitFor(
        (r) =>
          failedRecord(NO_MODEL_ID)(r) && failedRecord(BAD_SHAPE_ID)(r) && failedDurations().length >= 2 && succeeded(),
      );
    });

    it('a failed call that names no model has no model label, so only an All value matching "" shows it', () => {
      const record = recordOfCall(receiver().logRecords(), NO_MODEL_ID, 'response');
      expect(record.attributes).to.not.have.property(ATTR_MODEL_NAME);
      expect(failedDurations().filter((point) => point.attributes[ATTR_MODEL_NAME] === undefined)).to.not.be.empty;

      // Without its own All value, Grafana's All is the values the variable's query listed, never ''.
      for (const { name, includeAll, allValue } of dashboardVariables()) {
        if (includeAll === true) expect(allValue, `$${name}`).to.be.a('string');
      }
      // Every query that filters on the model, with All picked: its matcher must take the missing label ('').
      const modelFilter = new RegExp(`\\b${labelName(ATTR_MODEL_NAME)}\\s*=~\\s*"([^"]*)"`, 'g');
      const filters = [
        ...dashboardQueries('prometheus', dashboardAllValues()),
        ...dashboardQueries('loki', dashboardAllValues()),
      ].flatMap(({ title, expr }) => [...expr.matchAll(modelFilter)].map(([, regex]) => ({ title, regex })));
      expect(filters).to.not.be.empty;
      for (const { title, regex } of filters)
        expect(new RegExp(`^(?:${regex})$`).test(''), `${title}: ${regex}`).to.equal(true);
    });

    it("every label a Loki query or a log link names is one Loki makes of the failed call's ERROR record", () => {
      const record = recordOfCall(receiver().logRecords(), BAD_SHAPE_ID, 'response');
      const labels = [...lokiLabelsOf(record).keys()];
      const lokiQueries = dashboardQueries('loki');
      expect(lokiQueries).to.not.be.empty;
      for (const { title, expr } of lokiQueries) {
        for (const label of logqlLabelNames(expr)) expect(labels, `${title}: ${label} in ${expr}`).to.include(label);
      }
      const { loki, tempo } = dataSources();
      for (const { matcherType, matcherRegex } of loki.jsonData.derivedFields) {
        if (matcherType === 'label') expect(labels, `derived field ${matcherRegex}`).to.include(matcherRegex);
      }
      const { tags, query } = tempo.jsonData.tracesToLogsV2;
      for (const { value } of tags) expect(labels, `traces-to-logs tag ${value}`).to.include(value);
      for (const label of logqlLabelNames(query)) expect(labels, `traces-to-logs: ${query}`).to.include(label);
    });

    it("the dashboard's Loki query, All picked, selects the failed call's ERROR record whatever the service's name", () => {
      const failed = lokiLabelsOf(recordOfCall(receiver().logRecords(), BAD_SHAPE_ID, 'response'));
      const request = lokiLabelsOf(recordOfCall(receiver().logRecords(), BAD_SHAPE_ID, 'request'));
      for (const { title, expr } of dashboardQueries('loki', dashboardAllValues())) {
        const matchers = labelMatchers(expr);
        for (const matcher of matchers) {
          expect(matches(matcher, failed.get(matcher.name)), `${title}: ${JSON.stringify(matcher)}`).to.equal(true);
        }
        // Only failures: the call's request record is not in the panel.
        expect(
          matchers.every((matcher) => matches(matcher, request.get(matcher.name))),
          title,
        ).to.equal(false);
      }
    });

    it('every value a Prometheus query matches a label to exactly is one the middleware writes on that metric', () => {
      // Label values by metric (OTLP name), as the calls above wrote them: a number or a bool as its JSON text.
      const written = new Map<string, Map<string, Set<string>>>();
      for (const metric of receiver().metrics()) {
        const labels = written.get(metric.name) ?? new Map<string, Set<string>>();
        written.set(metric.name, labels);
        for (const [name, value] of metric.dataPoints.flatMap((point) => Object.entries(point.attributes))) {
          const values = labels.get(labelName(name)) ?? new Set<string>();
          labels.set(labelName(name), values.add(typeof value === 'string' ? value : JSON.stringify(value)));
        }
      }
      const series = prometheusSeries();
      const exact = queries.flatMap(({ title, expr }) =>
        labelMatchers(expr)
          .filter(({ op, value }) => op === '=' && !value.includes('$'))
          .map((matcher) => ({ title, expr, matcher })),
      );
      expect(exact).to.not.be.empty;
      for (const { title, expr, matcher } of exact) {
        const metrics = seriesNamesIn(expr).flatMap((name) => series.get(name)?.name ?? []);
        // A label of the resource (job, instance) is not the data points' to check.
        const values = metrics.flatMap((metric) => [...(written.get(metric)?.get(matcher.name) ?? [])]);
        if (values.length > 0) expect(values, `${title}: ${JSON.stringify(matcher)}`).to.include(matcher.value);
      }
    });

    it("every span attribute a trace link reads is on the call's span, and becomes a label its query can use", async () => {
      const span = spanOfCall(receiver().spans(), BAD_SHAPE_ID);
      const { tracesToLogsV2, tracesToMetrics } = dataSources().tempo.jsonData;
      for (const { key } of [...tracesToLogsV2.tags, ...tracesToMetrics.tags]) {
        expect({ ...span.resource, ...span.attributes }, `trace link tag ${key}`).to.have.property(key);
      }
      const labels = await labelsByMetric();
      const known = [...prometheusSeries().keys()];
      expect(tracesToMetrics.queries).to.not.be.empty;
      for (const { name, query } of tracesToMetrics.queries) {
        const names = seriesNamesIn(query);
        expect(names, `${name}: ${query}`).to.not.be.empty;
        for (const series of names) expect(known, `${name}: ${query}`).to.include(series);
        const carried = [...labelsOfSeriesIn(query, labels)];
        for (const label of [...labelNamesIn(query, ''), ...tracesToMetrics.tags.map(({ value }) => value)]) {
          expect(carried, `${name}: ${label} in ${query}`).to.include(label);
        }
      }
    });
  });
});
