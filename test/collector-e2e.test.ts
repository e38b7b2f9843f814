/**
 * `inferlens serve` through a real OpenTelemetry Collector (the one
 * collector-config/build-collector.sh builds), with the shipped base config
 * and a test overlay whose exporters write files. A recording forwarder sits
 * between the two, so the test sees what went over the wire.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { CliProcess } from './support/cli.js';
import { SERVE_DEMO_MODELS, SERVING_BANNER, startCli } from './support/cli.js';
import type { CollectorPorts, CollectorProcess } from './support/collector.js';
import {
  COLLECTOR_CONFIG_DIR,
  NO_SELF_METRICS_OVERLAY,
  collectorSkipReason,
  freeCollectorPorts,
  startCollector,
} from './support/collector.js';
import type { ExportedTelemetry } from './support/collector-files.js';
import { waitForExported } from './support/collector-files.js';
import { recordsOfCall, spansOfCall } from './support/otlp-model.js';
import { post } from './support/http.js';
import type { RecordingProxy } from './support/recording-proxy.js';
import { startRecordingProxy } from './support/recording-proxy.js';
import { IRIS_V1_BODY, IRIS_V2_BAD_SHAPE } from './support/iris-calls.js';

const OVERLAYS = [join(COLLECTOR_CONFIG_DIR, 'overlays', 'debug.yaml'), NO_SELF_METRICS_OVERLAY];
/** Metrics every second, so the test need not wait for the default minute. */
const METRIC_INTERVAL = { OTEL_METRIC_EXPORT_INTERVAL: '1000' };
const SEVERITY_ERROR = 17;
const SPAN_STATUS_ERROR = 2;
/** How often the forwarder's record is checked while waiting for failed exports. */
const POLL_INTERVAL_MS = 50;
/** How long a condition may take before the test fails saying which (well inside the test's own timeout). */
const WAIT_LIMIT_MS = 30_000;

/** One predict call: where it goes, what it sends, and what the server must answer. */
interface Call {
  readonly id: string;
  readonly path: string;
  readonly body: string;
  readonly status: number;
  readonly protocol: string;
  readonly model: string;
}

const V2_BODY = '{"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", "data": [6.8, 2.8, 4.8, 1.4]}]}';

const v1 = (id: string): Call => ({
  id,
  path: '/v1/models/iris:predict',
  body: IRIS_V1_BODY,
  status: 200,
  protocol: 'kserve-v1',
  model: 'iris',
});

const CALLS: readonly Call[] = [
  v1('e2e-v1-ok'),
  {
    id: 'e2e-v2-ok',
    path: '/v2/models/iris/infer',
    body: V2_BODY,
    status: 200,
    protocol: 'open-inference-v2',
    model: 'iris',
  },
  {
    id: 'e2e-v2-bad',
    path: '/v2/models/iris/infer',
    body: IRIS_V2_BAD_SHAPE,
    status: 400,
    protocol: 'open-inference-v2',
    model: 'iris',
  },
  {
    id: 'e2e-v1-unknown',
    path: '/v1/models/nosuch:predict',
    body: IRIS_V1_BODY,
    status: 404,
    protocol: 'kserve-v1',
    model: 'nosuch',
  },
];

/** The call's records and span, by its request id. */
function callTelemetry(telemetry: ExportedTelemetry, id: string) {
  return { records: recordsOfCall(telemetry.logs, id), spans: spansOfCall(telemetry.spans, id) };
}

/** Whether both payload records of the call and its span have arrived. */
function hasCall(telemetry: ExportedTelemetry, id: string): boolean {
  const { records, spans } = callTelemetry(telemetry, id);
  return records.length === 2 && spans.length === 1;
}

describe('through a real OpenTelemetry Collector (end to end)', function () {
  this.timeout(120_000);

  let dir: string;
  let ports: CollectorPorts;
  let collector: CollectorProcess | undefined;
  let proxy: RecordingProxy | undefined;
  let cli: CliProcess | undefined;
  let url: string;
  /** The answer each call got, by request id. */
  const answers = new Map<string, string>();

  const exportedFile = (): string => join(dir, 'out', 'telemetry.jsonl');
  const start = async (): Promise<CollectorProcess> =>
    startCollector({
      overlays: OVERLAYS,
      ports,
      storageDir: join(dir, 'storage'),
      env: {
        OTELCOL_FILE_PATH: exportedFile(),
        OTELCOL_FILE_APPEND: 'true',
        OTELCOL_FILE_FLUSH_INTERVAL: '100ms',
        OTELCOL_DEBUG_VERBOSITY: 'basic',
      },
    });

  async function call(c: Call): Promise<void> {
    const response = await post(`${url}${c.path}`, c.body, {
      'content-type': 'application/json',
      'x-request-id': c.id,
    });
    const text = await response.text();
    expect(response.status, text).to.equal(c.status);
    answers.set(c.id, text);
  }

  before(async function () {
    const skip = collectorSkipReason();
    if (skip !== undefined) {
      console.log(`      skipped: ${skip}`);
      this.skip();
    }
    dir = await mkdtemp(join(tmpdir(), 'inferlens-collector-e2e-'));
    ports = await freeCollectorPorts();
    collector = await start();
    proxy = await startRecordingProxy(collector.otlpHttpUrl);
    cli = startCli(
      [...SERVE_DEMO_MODELS, '--otlp-endpoint', proxy.url, '--otlp-compression', 'gzip', '--file-sink', 'off'],
      {
        INFERLENS_TELEMETRY: 'on',
        ...METRIC_INTERVAL,
      },
    );
    [, url] = await cli.waitForOutput(SERVING_BANNER);
  });

  after(async () => {
    cli?.kill();
    await cli?.exited.catch(() => undefined);
    await proxy?.close();
    await collector?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  describe('successful and failing predictions', () => {
    let telemetry: ExportedTelemetry;

    before(async () => {
      for (const c of CALLS) await call(c);
      telemetry = await waitForExported(exportedFile(), (t) => {
        if (!CALLS.every((c) => hasCall(t, c.id))) return false;
        // Metrics are cumulative and exported each second: wait for a point covering every call.
        return CALLS.every((c) => durationCount(t, c) >= 1);
      });
    });

    it('every call has its span and its request and response records, all in one trace of its own', () => {
      const traceIds = new Set<string>();
      for (const c of CALLS) {
        const { records, spans } = callTelemetry(telemetry, c.id);
        expect(records.map((r) => r.attributes['inference.record.type'])).to.have.members(['request', 'response']);
        expect(spans[0].traceId).to.match(/^[0-9a-f]{32}$/);
        for (const record of records) {
          expect(record.traceId, c.id).to.equal(spans[0].traceId);
          expect(record.spanId, c.id).to.equal(spans[0].spanId);
        }
        traceIds.add(spans[0].traceId);
      }
      expect(traceIds.size).to.equal(CALLS.length);
    });

    it('payload bodies arrive intact: the request as sent, the response as answered', () => {
      for (const c of CALLS) {
        const { records } = callTelemetry(telemetry, c.id);
        const request = records.find((r) => r.attributes['inference.record.type'] === 'request');
        const response = records.find((r) => r.attributes['inference.record.type'] === 'response');
        expect(request?.body, c.id).to.equal(c.body);
        expect(response?.body, c.id).to.equal(answers.get(c.id));
      }
    });

    it('failed calls have an ERROR response record and an error span, with the status code', () => {
      for (const c of CALLS.filter((call) => call.status >= 400)) {
        const { records, spans } = callTelemetry(telemetry, c.id);
        const response = records.find((r) => r.attributes['inference.record.type'] === 'response');
        expect(response?.severityNumber, c.id).to.equal(SEVERITY_ERROR);
        expect(response?.attributes['http.response.status_code'], c.id).to.equal(c.status);
        expect(spans[0].status.code, c.id).to.equal(SPAN_STATUS_ERROR);
      }
    });

    it('metrics arrive: request durations by protocol and outcome, and the telemetry self-metrics', () => {
      for (const c of CALLS) expect(durationCount(telemetry, c), c.id).to.be.at.least(1);
      const names = new Set(telemetry.metrics.map((metric) => metric.name));
      expect([...names]).to.include.members([
        'inference.server.active_requests',
        'inference.server.payload.size',
        'inferlens.telemetry.records.exported',
      ]);
    });

    it('the collector added the base config resource attribute', () => {
      const { spans } = callTelemetry(telemetry, CALLS[0].id);
      expect(spans[0].resource['service.name']).to.equal('inferlens');
      expect(spans[0].resource['deployment.environment.name']).to.equal('development');
    });

    it('every export went over the wire gzip-compressed, and the collector accepted it', () => {
      const exports = proxy!.requests();
      expect(new Set(exports.map((r) => r.path))).to.deep.equal(new Set(['/v1/logs', '/v1/traces', '/v1/metrics']));
      for (const request of exports) {
        expect(request.contentEncoding, request.path).to.equal('gzip');
        expect(request.gzipBody, request.path).to.equal(true);
        expect(request.upstreamStatus, request.path).to.equal(200);
      }
    });
  });

  describe('the collector stops mid-run', () => {
    const outage = [v1('e2e-outage-1'), v1('e2e-outage-2'), v1('e2e-outage-3')];

    it('predictions keep succeeding while it is down, and their records arrive once it is back', async () => {
      await collector!.stop();
      const before = proxy!.requests().length;

      for (const c of outage) await call(c);

      // Wait until the server has tried (and failed) to export logs and traces while the collector was down.
      await waitFor(() => {
        const failed = proxy!
          .requests()
          .slice(before)
          .filter((r) => r.upstreamStatus === undefined);
        return ['/v1/logs', '/v1/traces'].every((path) => failed.some((r) => r.path === path));
      }, 'the server tried to export logs and traces to the stopped collector');

      collector = await start();
      const telemetry = await waitForExported(exportedFile(), (t) => outage.every((c) => hasCall(t, c.id)));
      for (const c of outage) {
        const { records } = callTelemetry(telemetry, c.id);
        const request = records.find((r) => r.attributes['inference.record.type'] === 'request');
        expect(request?.body).to.equal(c.body);
      }
      expect(cli!.stderr()).to.not.match(/export of .* failed/);
    });
  });
});

/** Count of the latest request duration data point of a call's protocol, model and outcome. */
function durationCount(telemetry: ExportedTelemetry, c: Call): number {
  const outcome = c.status < 400 ? 'success' : 'error';
  const points = telemetry.metrics
    .filter((metric) => metric.name === 'inference.server.request.duration')
    .flatMap((metric) => metric.dataPoints)
    .filter(
      (point) =>
        point.attributes['inference.protocol'] === c.protocol &&
        point.attributes['inference.model.name'] === c.model &&
        point.attributes['inference.outcome'] === outcome,
    );
  return Math.max(0, ...points.map((point) => point.count ?? 0));
}

/** Resolves once `condition` holds, checking every {@link POLL_INTERVAL_MS}; fails, saying what, after `limitMs`. */
async function waitFor(condition: () => boolean, what: string, limitMs = WAIT_LIMIT_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${limitMs} ms: ${what}`);
    await sleep(POLL_INTERVAL_MS);
  }
}
