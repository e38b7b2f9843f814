/**
 * `inferlens serve` with telemetry on, end to end: the CLI in its own
 * process, predictions over HTTP, then SIGTERM. What was queued when the
 * signal came reaches the collector (or the files) before the process exits.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { CliExit, CliProcess } from './support/cli.js';
import { SERVE_DEMO_MODELS, SERVING_BANNER, startCli } from './support/cli.js';
import type { OtlpReceiver } from './support/otlp-receiver.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';
import { IRIS_V1_BODY, IRIS_V2_BAD_SHAPE } from './support/iris-calls.js';

const V1_ANSWER = { predictions: [1, 1] };

/**
 * Batches wait a minute before they are exported, so records that arrive
 * before the process exits were sent by the shutdown flush.
 */
const LONG_SCHEDULE_DELAY = { OTEL_BLRP_SCHEDULE_DELAY: '60000', OTEL_BSP_SCHEDULE_DELAY: '60000' };

/** A JSON line of `inference_payloads/data/data.1.log`. */
interface PayloadLine {
  readonly timestamp: string;
  readonly severity: string;
  readonly trace_id: string | null;
  readonly span_id: string | null;
  readonly attributes: Record<string, unknown>;
  readonly body: unknown;
}

async function post(
  url: string,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: response.status, body: JSON.parse(await response.text()) };
}

async function predict(url: string, headers: Record<string, string>): Promise<void> {
  const answer = await post(url, '/v1/models/iris:predict', IRIS_V1_BODY, headers);
  expect(answer.status).to.equal(200);
  expect(answer.body).to.deep.equal(V1_ANSWER);
}

async function readPayloadLines(monitoringDir: string): Promise<PayloadLine[]> {
  const text = await readFile(join(monitoringDir, 'inference_payloads/data/data.1.log'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as PayloadLine);
}

function linesOf(lines: readonly PayloadLine[], requestId: string): PayloadLine[] {
  return lines.filter((line) => line.attributes['inference.request.id'] === requestId);
}

function recordTypes(lines: readonly PayloadLine[]): unknown[] {
  return lines.map((line) => line.attributes['inference.record.type']);
}

describe('inferlens serve with telemetry (CLI end to end)', function () {
  this.timeout(60_000);

  let cli: CliProcess | undefined;
  let receiver: OtlpReceiver | undefined;
  let monitoringDir: string | undefined;

  afterEach(async () => {
    cli?.kill();
    await cli?.exited.catch(() => undefined);
    await receiver?.close();
    if (monitoringDir !== undefined) await rm(monitoringDir, { recursive: true, force: true });
    cli = receiver = monitoringDir = undefined;
  });

  /** Starts the CLI and resolves with its URL once it has printed its banner. */
  async function serve(args: readonly string[], env: Record<string, string>): Promise<string> {
    cli = startCli([...SERVE_DEMO_MODELS, ...args], { INFERLENS_TELEMETRY: 'on', ...env });
    const [, url] = await cli.waitForOutput(SERVING_BANNER);
    return url;
  }

  /** SIGTERM, then the exit; the process must stop by itself and exit 0. */
  async function terminate(): Promise<CliExit> {
    cli!.child.kill('SIGTERM');
    const exit = await cli!.exited;
    expect(exit, `stdout: ${cli!.stdout()}\nstderr: ${cli!.stderr()}`).to.deep.equal({ code: 0, signal: null });
    expect(cli!.stdout()).to.include('SIGTERM received');
    return exit;
  }

  /**
   * Serves with the files under a fresh --monitoring-dir, makes one predict
   * call with `headers` (its x-request-id among them), stops the CLI and
   * returns that call's lines.
   */
  async function predictIntoFiles(
    args: readonly string[],
    env: Record<string, string>,
    headers: { 'x-request-id': string } & Record<string, string>,
  ): Promise<PayloadLine[]> {
    monitoringDir = await mkdtemp(join(tmpdir(), 'inferlens-monitoring-'));
    const url = await serve(['--monitoring-dir', monitoringDir, ...args], env);
    await predict(url, headers);
    await terminate();
    return linesOf(await readPayloadLines(monitoringDir), headers['x-request-id']);
  }

  /**
   * Serves with the files under a fresh --monitoring-dir, makes one predict
   * call that succeeds and one infer call that fails (400), stops the CLI and
   * returns each call's lines.
   */
  async function succeedAndFailIntoFiles(
    args: readonly string[],
  ): Promise<{ succeeded: PayloadLine[]; failed: PayloadLine[] }> {
    monitoringDir = await mkdtemp(join(tmpdir(), 'inferlens-monitoring-'));
    const url = await serve(['--monitoring-dir', monitoringDir, ...args], LONG_SCHEDULE_DELAY);
    await predict(url, { 'x-request-id': 'succeeded' });
    const failed = await post(url, '/v2/models/iris/infer', IRIS_V2_BAD_SHAPE, { 'x-request-id': 'failed' });
    expect(failed.status).to.equal(400);
    await terminate();
    const lines = await readPayloadLines(monitoringDir);
    return { succeeded: linesOf(lines, 'succeeded'), failed: linesOf(lines, 'failed') };
  }

  it('SIGTERM: exits 0, and the records queued at that moment reach the collector (OTEL_* variables)', async () => {
    receiver = await startOtlpReceiver();
    const url = await serve(['--file-sink', 'off'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      ...LONG_SCHEDULE_DELAY,
    });
    const ids = ['cli-1', 'cli-2', 'cli-3'];
    for (const id of ids) await predict(url, { 'x-request-id': id });
    // Nothing has been exported yet: the batches wait for their delay, and metrics for their minute.
    expect(receiver.requests(), receiver.describe()).to.be.empty;

    await terminate();

    await receiver.waitFor((r) =>
      ids.every((id) => r.spans().some((s) => s.attributes['inference.request.id'] === id)),
    );
    for (const id of ids) {
      const records = receiver.logRecords().filter((record) => record.attributes['inference.request.id'] === id);
      expect(records.map((record) => record.attributes['inference.record.type'])).to.have.members([
        'request',
        'response',
      ]);
      expect(records.find((record) => record.attributes['inference.record.type'] === 'request')?.body).to.equal(
        IRIS_V1_BODY,
      );
      const spans = receiver.spans().filter((span) => span.attributes['inference.request.id'] === id);
      expect(spans).to.have.lengthOf(1);
      expect(spans[0].name).to.equal('predict iris');
      expect(records.every((record) => record.traceId === spans[0].traceId)).to.equal(true);
    }
    // The metric reader exports once more when it shuts down.
    expect(receiver.metrics().some((metric) => metric.name === 'inference.server.request.duration')).to.equal(true);
    // OTLP's defaults: protobuf, gzip.
    for (const request of receiver.requests()) {
      expect(request.contentType).to.equal('application/x-protobuf');
      expect(request.contentEncoding).to.equal('gzip');
    }
  });

  it('--otlp-endpoint and --otlp-compression none: the flags take the place of the variables', async () => {
    receiver = await startOtlpReceiver();
    const url = await serve(['--otlp-endpoint', receiver.url, '--otlp-compression', 'none', '--file-sink', 'off'], {
      ...LONG_SCHEDULE_DELAY,
    });
    await predict(url, { 'x-request-id': 'flags-1' });
    await terminate();
    await receiver.waitFor((r) =>
      r.logRecords().some((record) => record.attributes['inference.request.id'] === 'flags-1'),
    );
    expect(receiver.requests()).to.not.be.empty;
    for (const request of receiver.requests()) expect(request.contentEncoding).to.equal(undefined);
  });

  // Fails at 99530a1 (resolveOtlp threw on a lone per-signal endpoint, serve exited 1); passes with the config.ts fix.
  it('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT alone: the server starts and the records reach that endpoint', async () => {
    receiver = await startOtlpReceiver();
    const url = await serve(['--file-sink', 'off'], {
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: receiver.urlFor('logs'),
      // Traces and metrics may go to the specification's default (localhost:4318): give up on them quickly.
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
    });
    await predict(url, { 'x-request-id': 'logs-only-1' });
    await terminate();
    await receiver.waitFor((r) =>
      r.logRecords().some((record) => record.attributes['inference.request.id'] === 'logs-only-1'),
    );
  });

  it("a signal's OTEL_* variable wins over the generic one, as in any application", async () => {
    receiver = await startOtlpReceiver();
    const url = await serve(['--file-sink', 'off'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'none',
      ...LONG_SCHEDULE_DELAY,
    });
    await predict(url, { 'x-request-id': 'signal-env-1' });
    await terminate();
    const encodings = new Map(receiver.requests().map((request) => [request.path, request.contentEncoding]));
    expect(Object.fromEntries(encodings)).to.deep.equal({
      '/v1/logs': undefined,
      '/v1/traces': 'gzip',
      '/v1/metrics': 'gzip',
    });
  });

  it('OTEL_TRACES_EXPORTER=none and OTEL_METRICS_EXPORTER=none: only the records go out, even to --otlp-endpoint', async () => {
    receiver = await startOtlpReceiver();
    const url = await serve(['--file-sink', 'off', '--otlp-endpoint', receiver.url], {
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
    });
    expect(cli!.stdout()).to.include(`telemetry: OTLP/HTTP to ${receiver.urlFor('logs')}\n`);
    await predict(url, { 'x-request-id': 'exporters-none-1' });
    await terminate();
    expect(new Set(receiver.requests().map((request) => request.path))).to.deep.equal(new Set(['/v1/logs']));
  });

  it('an endpoint for traces alone: payload records go to the files, and the banner says both', async () => {
    receiver = await startOtlpReceiver();
    monitoringDir = await mkdtemp(join(tmpdir(), 'inferlens-monitoring-'));
    const traces = receiver.urlFor('traces');
    const url = await serve(['--monitoring-dir', monitoringDir], {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: traces,
      // Metrics may go to the specification's default (localhost:4318): give up on them quickly.
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
    });
    expect(cli!.stdout()).to.include(`telemetry: OTLP/HTTP to ${traces}`);
    expect(cli!.stdout()).to.include(`JSON lines: tail -f ${monitoringDir}/inference_payloads/data/*.log`);
    await predict(url, { 'x-request-id': 'traces-only-1' });
    await terminate();
    const lines = linesOf(await readPayloadLines(monitoringDir), 'traces-only-1');
    expect(recordTypes(lines)).to.deep.equal(['request', 'response']);
    expect(receiver.spans().some((span) => span.attributes['inference.request.id'] === 'traces-only-1')).to.equal(true);
  });

  it('no endpoint, --monitoring-dir: the records land as JSON lines in inference_payloads/data/data.1.log', async () => {
    const lines = await predictIntoFiles([], LONG_SCHEDULE_DELAY, { 'x-request-id': 'file-1' });
    expect(recordTypes(lines)).to.deep.equal(['request', 'response']);
    const [request, response] = lines;
    // Bodies are parsed back to JSON where they parse.
    expect(request.body).to.deep.equal(JSON.parse(IRIS_V1_BODY));
    expect(response.body).to.deep.equal(V1_ANSWER);
    expect(request.severity).to.equal('INFO');
    expect(response.severity).to.equal('INFO');
    expect(request.trace_id).to.match(/^[0-9a-f]{32}$/);
    expect(response.trace_id).to.equal(request.trace_id);
    expect(response.span_id).to.equal(request.span_id);
    expect(response.attributes).to.include({
      'inference.model.name': 'iris',
      'inference.model.version': '1',
      'inference.batch.size': 2,
      'http.response.status_code': 200,
    });
  });

  it('--shutdown-timeout-ms 0: no wait for requests, but what is queued still reaches the files', async () => {
    const headers = { 'x-request-id': 'no-wait-1' };
    const lines = await predictIntoFiles(['--shutdown-timeout-ms', '0'], LONG_SCHEDULE_DELAY, headers);
    expect(recordTypes(lines)).to.deep.equal(['request', 'response']);
  });

  it('an empty or blank INFERLENS_* variable counts as unset: the default sample rate and mode, not 0 or a refusal', async () => {
    const env = { INFERLENS_PAYLOAD_SAMPLE_RATE: '', INFERLENS_TELEMETRY_MODE: ' ', ...LONG_SCHEDULE_DELAY };
    const lines = await predictIntoFiles([], env, { 'x-request-id': 'empty-env-1' });
    expect(recordTypes(lines)).to.deep.equal(['request', 'response']);
  });

  it('--telemetry-mode request: only request records, but a failed call still gets its response record', async () => {
    const { succeeded, failed } = await succeedAndFailIntoFiles(['--telemetry-mode', 'request']);
    expect(recordTypes(succeeded)).to.deep.equal(['request']);
    expect(recordTypes(failed)).to.have.members(['request', 'response']);
    const response = failed.find((line) => line.attributes['inference.record.type'] === 'response')!;
    expect(response.severity).to.equal('ERROR');
    expect(response.attributes['error.type']).to.equal('INVALID_INPUT');
  });

  it('--payload-sample-rate 0: no records of a successful call, but a failed call still gets both', async () => {
    const { succeeded, failed } = await succeedAndFailIntoFiles(['--payload-sample-rate', '0']);
    expect(succeeded).to.be.empty;
    expect(recordTypes(failed)).to.have.members(['request', 'response']);
  });

  it('--file-sink off: no files, though no OTLP endpoint takes the records', async () => {
    monitoringDir = await mkdtemp(join(tmpdir(), 'inferlens-monitoring-'));
    const url = await serve(['--monitoring-dir', monitoringDir, '--file-sink', 'off'], LONG_SCHEDULE_DELAY);
    await predict(url, { 'x-request-id': 'no-files-1' });
    await terminate();
    expect(await readdir(monitoringDir)).to.be.empty;
  });

  it('--prometheus-port 0: the banner names the scrape URL, and a scrape counts the calls made', async () => {
    const url = await serve(['--file-sink', 'off', '--prometheus-port', '0'], {});
    const [, scrapeUrl] = await cli!.waitForOutput(/Prometheus metrics: (http:\/\/\S+)/);
    expect(scrapeUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    await predict(url, { 'x-request-id': 'scraped-1' });
    await predict(url, { 'x-request-id': 'scraped-2' });
    const text = await (await fetch(scrapeUrl)).text();
    const count = text
      .split('\n')
      .find(
        (line) =>
          line.startsWith('inference_server_request_duration_count{') && line.includes('inference_model_name="iris"'),
      );
    expect(count, text).to.match(/ 2$/);
    await terminate();
  });

  it('--capture-headers x-tenant: the header is recorded as http.request.header.x-tenant', async () => {
    const headers = { 'x-request-id': 'tenant-1', 'x-tenant': 'acme', 'x-other': 'not captured' };
    const lines = await predictIntoFiles(['--capture-headers', 'x-tenant'], LONG_SCHEDULE_DELAY, headers);
    expect(lines).to.have.lengthOf(2);
    for (const line of lines) {
      expect(line.attributes['http.request.header.x-tenant']).to.deep.equal(['acme']);
      expect(line.attributes).to.not.have.property('http.request.header.x-other');
    }
  });
});
