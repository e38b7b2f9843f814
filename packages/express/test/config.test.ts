import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { AggregationTemporality, InstrumentType } from '@opentelemetry/sdk-metrics';
import { expect } from 'chai';
import type { ResolvedConfig } from '../src/config.js';
import { resolveConfig } from '../src/config.js';
import type { ResolvedOtlpExport } from '../src/config/otlp.js';
import { MAX_TIMER_MILLIS } from '../src/config/timer-limit.js';
import { inferenceTelemetry } from '../src/middleware.js';
import { otlpExporters } from '../src/signals/exporters.js';
import { processWarningReporter } from '../src/reporter.js';
import type { InferenceTelemetryOptions } from '../src/types.js';
import { recordingReporter } from './export-helpers.js';
import { globalOptions, useRecordedWarnings } from './in-memory-telemetry.js';

const SIGNALS = ['logs', 'traces', 'metrics'] as const;

/** The resolved OTLP settings of one signal, which the test expects to have an endpoint. */
function exportOf(config: ResolvedConfig, signal: (typeof SIGNALS)[number]): ResolvedOtlpExport {
  const settings = config.otlp?.[signal];
  if (settings === undefined) throw new Error(`no OTLP settings for ${signal}`);
  return settings;
}

/** A new folder, and `pem(name)`, which makes an empty file in it (TLS variables must name files that exist). */
function pemFolder(): { folder: string; pem: (name: string) => string } {
  const folder = mkdtempSync(join(tmpdir(), 'inferlens-pem-'));
  const pem = (name: string): string => {
    writeFileSync(join(folder, name), '');
    return join(folder, name);
  };
  return { folder, pem };
}

/** Options as a caller without types might pass them. */
const untyped = (options: Record<string, unknown>): InferenceTelemetryOptions => options;

describe('configuration', () => {
  describe('options checked at construction', () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['mode', { mode: 'everything' }, /\bmode\b.*everything/],
      ['payloadSampleRate', { payloadSampleRate: 2 }, /payloadSampleRate/],
      ['payloadSampleRate', { payloadSampleRate: -0.1 }, /payloadSampleRate/],
      ['slowRequestThresholdMs', { slowRequestThresholdMs: -1 }, /slowRequestThresholdMs/],
      ['maxPayloadBytes', { maxPayloadBytes: '64k' }, /maxPayloadBytes/],
      [
        'queue.maxExportBatchSize',
        { queue: { maxQueueSize: 100, maxExportBatchSize: 200 } },
        /queue\.maxExportBatchSize.*queue\.maxQueueSize/,
      ],
      ['queue.maxQueueSize', { queue: { maxQueueSize: 0 } }, /queue\.maxQueueSize/],
      ['otlp.endpoint', { otlp: { endpoint: 'not a url' } }, /otlp\.endpoint.*not a url/],
      ['otlp.compression', { otlp: { endpoint: 'http://localhost:4318', compression: 'brotli' } }, /otlp\.compression/],
      ['otlp.protocol', { otlp: { endpoint: 'http://localhost:4318', protocol: 'grpc' } }, /otlp\.protocol/],
      ['otlp.headers', { otlp: { headers: { 'x api key': 'k' } } }, /otlp\.headers.*x api key/],
      ['otlp.headers', { otlp: { headers: { 'x-api-key': 'k\r\nx-other: 1' } } }, /otlp\.headers/],
      ['otlp.headers', { otlp: { headers: { 'x-retries': 3 } } }, /otlp\.headers/],
      [
        'otlp.timeoutMillis',
        { otlp: { endpoint: 'http://localhost:4318', timeoutMillis: 2 ** 31 } },
        /otlp\.timeoutMillis.*2147483648/,
      ],
      [
        'otlp.metricExportIntervalMillis',
        { otlp: { endpoint: 'http://localhost:4318', metricExportIntervalMillis: Infinity } },
        /otlp\.metricExportIntervalMillis.*Infinity/,
      ],
      ['queue.scheduledDelayMillis', { queue: { scheduledDelayMillis: 2 ** 31 } }, /queue\.scheduledDelayMillis/],
      ['queue.exportTimeoutMillis', { queue: { exportTimeoutMillis: Infinity } }, /queue\.exportTimeoutMillis/],
      ['providers', { providers: 'mine' }, /providers/],
      ['serviceName', { serviceName: 42 }, /serviceName.*42/],
      ['serviceName', { serviceName: '' }, /serviceName.*""/],
      ['resourceAttributes', { resourceAttributes: 'deployment.environment.name=prod' }, /resourceAttributes/],
      ['resourceAttributes', { resourceAttributes: { 'k8s.pod': { name: 'p' } } }, /resourceAttributes.*k8s\.pod/],
      ['resourceDetectors', { resourceDetectors: 'host,os' }, /resourceDetectors must be an array.*"host,os"/],
      ['resourceDetectors', { resourceDetectors: ['host', 'env', 'all'] }, /resourceDetectors.*\["env","all"\]/],
      ['captureHeaders', { captureHeaders: 'x-tenant' }, /captureHeaders/],
      ['captureHeaders', { captureHeaders: ['x-tenant', 'x tenant'] }, /captureHeaders.*HTTP header names/],
      ['captureHeaders', { captureHeaders: ['Proxy-Authorization'] }, /captureHeaders.*proxy-authorization/],
      ['payloadSampleRate', { payloadSampleRate: '0.5' }, /payloadSampleRate/],
      ['maxPayloadBytes', { maxPayloadBytes: 1.5 }, /maxPayloadBytes/],
      ['otlp.logsEndpoint', { otlp: { logsEndpoint: 'ftp://collector:4318/v1/logs' } }, /otlp\.logsEndpoint/],
      ['otlp.timeoutMillis', { otlp: { endpoint: 'http://localhost:4318', timeoutMillis: 0 } }, /otlp\.timeoutMillis/],
      ['queue.exportTimeoutMillis', { queue: { exportTimeoutMillis: 0 } }, /queue\.exportTimeoutMillis/],
      ['fileSink.maxFiles', { fileSink: { maxFiles: 0 } }, /fileSink\.maxFiles/],
      ['otlp', { otlp: 'http://collector:4318' }, /otlp must be an object.*collector/],
      ['otlp', { otlp: true }, /otlp must be an object/],
      ['queue', { queue: 'big' }, /queue must be an object/],
      ['fileSink', { fileSink: null }, /fileSink must be an object/],
      ['fileSink.enabled', { fileSink: { enabled: 'no' } }, /fileSink\.enabled must be a boolean/],
      ['fileSink.directory', { fileSink: { directory: 5 } }, /fileSink\.directory must be a non-empty string/],
      ['redactPaths', { redactPaths: 'parameters.api_key' }, /redactPaths must be an array/],
      ['redactPaths', { redactPaths: ['inputs.*.data', '.'] }, /redactPaths must be dot paths that name a field.*"\."/],
      ['matcher', { matcher: '/predict' }, /matcher must be a function, got "string"/],
    ];
    for (const [option, options, message] of cases) {
      it(`throws a TypeError naming ${option} for ${JSON.stringify(options)}`, () => {
        // Own providers: several of these options configure only them.
        expect(() => inferenceTelemetry(untyped({ fileSink: { enabled: false }, ...options }))).to.throw(
          TypeError,
          message,
        );
      });
    }

    for (const [given, headers] of [
      ['a string', 'api-key=secret'],
      ['an array', ['api-key=secret']],
    ] as const) {
      it(`throws for otlp.headers given as ${given}, without showing it`, () => {
        const build = (): unknown => inferenceTelemetry(untyped({ fileSink: { enabled: false }, otlp: { headers } }));
        expect(build).to.throw(TypeError, `otlp.headers must be an object of header names and values, got ${given}`);
        expect(build).not.to.throw(/secret/);
      });
    }

    it('exports only the signals that have an endpoint', () => {
      const { otlp } = resolveConfig(
        { otlp: { logsEndpoint: 'http://collector:4318/v1/logs' } },
        recordingReporter(),
        {},
      );
      expect(otlp!.logs).to.include({ url: 'http://collector:4318/v1/logs' });
      expect(otlp).to.include({ traces: undefined, metrics: undefined });
    });

    it('accepts delays and time limits up to the longest a Node.js timer waits, and any slow-call threshold', () => {
      const longest = 2 ** 31 - 1;
      const config = resolveConfig(
        {
          otlp: { endpoint: 'http://collector:4318', timeoutMillis: longest, metricExportIntervalMillis: longest },
          queue: { scheduledDelayMillis: longest, exportTimeoutMillis: longest },
          slowRequestThresholdMs: Infinity,
        },
        recordingReporter(),
        {},
      );
      expect(config.otlp).to.include({ metricExportIntervalMillis: longest });
      expect(exportOf(config, 'metrics')).to.include({ timeoutMillis: longest });
      expect(config.spanQueue).to.include({ scheduledDelayMillis: longest, exportTimeoutMillis: longest });
      expect(config.slowRequestThresholdMs).to.equal(Infinity);
    });

    it('accepts the least of each bound: no payloads sampled, every call slow, no payload bytes, a queue of one', () => {
      const config = resolveConfig(
        {
          payloadSampleRate: 0,
          slowRequestThresholdMs: 0,
          maxPayloadBytes: 0,
          queue: { maxQueueSize: 1, maxExportBatchSize: 1, scheduledDelayMillis: 0, exportTimeoutMillis: 1 },
          fileSink: { maxFileBytes: 1, maxFiles: 1 },
        },
        recordingReporter(),
        {},
      );
      expect(config).to.deep.include({ payloadSampleRate: 0, slowRequestThresholdMs: 0, maxPayloadBytes: 0 });
      expect(config.logQueue).to.deep.equal({
        maxQueueSize: 1,
        maxExportBatchSize: 1,
        scheduledDelayMillis: 0,
        exportTimeoutMillis: 1,
      });
      expect(config.fileSink).to.include({ maxFileBytes: 1, maxFiles: 1 });
    });

    it('checks otlp options even when no signal has an endpoint', () => {
      expect(() => resolveConfig(untyped({ otlp: { compression: 'brotli' } }), recordingReporter(), {})).to.throw(
        TypeError,
        /otlp\.compression/,
      );
    });

    it('refuses an otlp.endpoint that is not http(s)', () => {
      expect(() => resolveConfig({ otlp: { endpoint: 'ftp://collector:4318' } }, recordingReporter(), {})).to.throw(
        TypeError,
        /otlp\.endpoint/,
      );
    });
  });

  describe("with providers: 'global'", () => {
    const ownProviderOptions: [string, InferenceTelemetryOptions][] = [
      ['fileSink', { fileSink: { enabled: true } }],
      ['fileSink', { fileSink: { directory: 'elsewhere' } }],
      ['otlp', { otlp: { endpoint: 'http://collector:4318' } }],
      ['queue', { queue: { maxQueueSize: 10 } }],
      ['serviceName', { serviceName: 'scorer' }],
      ['resourceAttributes', { resourceAttributes: { 'deployment.environment.name': 'prod' } }],
      ['resourceDetectors', { resourceDetectors: ['host'] }],
      ['prometheus', { prometheus: true }],
      ['prometheus', { prometheus: { port: 9100 } }],
      // An object turns the endpoint on, its fields set or not.
      ['prometheus', { prometheus: {} }],
    ];
    for (const [option, options] of ownProviderOptions) {
      it(`refuses ${JSON.stringify(options)}, which only the middleware's own providers would read`, () => {
        const message = new RegExp(`${option} configures the middleware's own providers.*in the application`);
        expect(() => inferenceTelemetry({ providers: 'global', ...options })).to.throw(TypeError, message);
      });
    }

    it('names every such option given', () => {
      const options: InferenceTelemetryOptions = {
        providers: 'global',
        otlp: { compression: 'none' },
        queue: { maxQueueSize: 10 },
        serviceName: 'scorer',
      };
      expect(() => resolveConfig(options, recordingReporter(), {})).to.throw(
        TypeError,
        /serviceName, otlp, queue configure the middleware's own providers/,
      );
    });

    it('accepts fileSink: { enabled: false } (no files, as global providers write none) and options that set nothing', () => {
      expect(() => inferenceTelemetry(globalOptions())).not.to.throw();
      expect(() => inferenceTelemetry(globalOptions({ otlp: {}, queue: { maxQueueSize: undefined } }))).not.to.throw();
      expect(() => inferenceTelemetry(globalOptions({ prometheus: false }))).not.to.throw();
      expect(() => inferenceTelemetry(globalOptions({ resourceDetectors: [] }))).not.to.throw();
    });

    it("lets the OTEL_* variables be, bad values included: the application's SDK reads them, and may support them", () => {
      const reporter = recordingReporter();
      const environment = {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_SERVICE_NAME: 'scorer',
        OTEL_EXPORTER_OTLP_TIMEOUT: '10s',
        OTEL_EXPORTER_OTLP_HEADERS: 'x tenant=ml',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_CERTIFICATE: '/nonexistent/ca.pem',
        OTEL_METRIC_EXPORT_INTERVAL: '1m',
        OTEL_RESOURCE_ATTRIBUTES: 'no-equals-sign',
        OTEL_BLRP_MAX_QUEUE_SIZE: 'lots',
        OTEL_BSP_SCHEDULE_DELAY: '-1',
        OTEL_TRACES_SAMPLER: 'xray',
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_PORT: 'ninety',
        OTEL_NODE_RESOURCE_DETECTORS: 'gcp,aws',
      };
      const config = resolveConfig({ providers: 'global' }, reporter, environment);
      expect(config.providers).to.equal('global');
      expect(config.prometheus).to.equal(undefined);
      expect(reporter.calls).to.deep.equal([]);
    });
  });

  describe('defaults', () => {
    it('applies every default with no options and no environment', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, {});
      expect(config).to.include({
        providers: 'own',
        serviceName: 'inferlens',
        otlp: undefined,
        mode: 'all',
        payloadSampleRate: 1,
        slowRequestThresholdMs: 1000,
        maxPayloadBytes: 65536,
      });
      expect(config.fileSink).to.deep.equal({ directory: 'monitoring', maxFileBytes: 10485760, maxFiles: 10 });
      expect(config.logQueue).to.deep.equal({
        maxQueueSize: 2048,
        maxExportBatchSize: 512,
        scheduledDelayMillis: 1000,
        exportTimeoutMillis: 30000,
      });
      expect(reporter.calls).to.deep.equal([]);
    });

    it('turns the file sink off by default once an OTLP endpoint is configured', () => {
      const config = resolveConfig({ otlp: { endpoint: 'http://collector:4318' } }, recordingReporter(), {});
      expect(config.fileSink).to.equal(undefined);
    });

    it('keeps the file sink on by default when no OTLP endpoint takes the logs', () => {
      const tracesOnly = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces' };
      const config = resolveConfig(
        { otlp: { metricsEndpoint: 'http://p:9090/api/v1/otlp/v1/metrics' } },
        recordingReporter(),
        tracesOnly,
      );
      expect(config.otlp?.logs).to.equal(undefined);
      expect(config.otlp?.traces?.url).to.equal('http://tempo:4318/v1/traces');
      expect(config.fileSink).to.deep.equal({ directory: 'monitoring', maxFileBytes: 10485760, maxFiles: 10 });
    });
  });

  describe('the environment', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318/',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=env%20key,x-tenant=acme',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_BLRP_MAX_QUEUE_SIZE: '300',
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '30',
      OTEL_BLRP_SCHEDULE_DELAY: '250',
      OTEL_BLRP_EXPORT_TIMEOUT: '4000',
      OTEL_SERVICE_NAME: 'env-service',
    };

    it('is read when options are absent', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, env);
      for (const signal of SIGNALS) {
        const settings = exportOf(config, signal);
        expect(settings).to.include({
          url: `http://env-collector:4318/v1/${signal}`,
          compression: 'none',
          timeoutMillis: 2500,
        });
        expect(settings.headers).to.deep.equal({ 'x-api-key': 'env key', 'x-tenant': 'acme' });
      }
      expect(config.logQueue).to.deep.equal({
        maxQueueSize: 300,
        maxExportBatchSize: 30,
        scheduledDelayMillis: 250,
        exportTimeoutMillis: 4000,
      });
      // OTEL_BLRP_* is for logs; spans read OTEL_BSP_*.
      expect(config.spanQueue.maxQueueSize).to.equal(2048);
      expect(config.serviceName).to.equal('env-service');
      expect(reporter.calls).to.deep.equal([]);
    });

    it('reads per-signal endpoints as full URLs', () => {
      const config = resolveConfig({}, recordingReporter(), {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs-only:9999/custom',
      });
      expect(exportOf(config, 'logs').url).to.equal('http://logs-only:9999/custom');
      expect(exportOf(config, 'traces').url).to.equal('http://env-collector:4318/v1/traces');
    });

    it('appends the signal path to the base path of the endpoint, before its query string', () => {
      const fromEnv = resolveConfig({}, recordingReporter(), {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gateway.example/otlp/?tenant=ml',
      });
      expect(exportOf(fromEnv, 'traces').url).to.equal('https://gateway.example/otlp/v1/traces?tenant=ml');
      const fromCode = resolveConfig(
        { otlp: { endpoint: 'http://gateway:8080/otlp?tenant=ml' } },
        recordingReporter(),
        {},
      );
      expect(exportOf(fromCode, 'logs').url).to.equal('http://gateway:8080/otlp/v1/logs?tenant=ml');
      const slashes = resolveConfig({ otlp: { endpoint: 'http://gateway:8080/otlp//' } }, recordingReporter(), {});
      expect(exportOf(slashes, 'metrics').url).to.equal('http://gateway:8080/otlp/v1/metrics');
    });

    it("loses to the endpoint in code, per-signal variables included: it is every signal's", () => {
      const config = resolveConfig({ otlp: { endpoint: 'http://code-collector:4318' } }, recordingReporter(), {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces',
      });
      expect(exportOf(config, 'traces').url).to.equal('http://code-collector:4318/v1/traces');
      expect(exportOf(config, 'logs').url).to.equal('http://code-collector:4318/v1/logs');
    });

    it('loses to explicit options', () => {
      const config = resolveConfig(
        {
          serviceName: 'code-service',
          otlp: {
            endpoint: 'http://code-collector:4318',
            compression: 'gzip',
            timeoutMillis: 700,
            headers: { 'x-api-key': 'code key' },
          },
          queue: { maxQueueSize: 50, maxExportBatchSize: 5, scheduledDelayMillis: 10 },
        },
        recordingReporter(),
        env,
      );
      expect(exportOf(config, 'logs')).to.include({
        url: 'http://code-collector:4318/v1/logs',
        compression: 'gzip',
        timeoutMillis: 700,
      });
      expect(exportOf(config, 'logs').headers).to.deep.equal({ 'x-api-key': 'code key', 'x-tenant': 'acme' });
      expect(config.logQueue).to.deep.equal({
        maxQueueSize: 50,
        maxExportBatchSize: 5,
        scheduledDelayMillis: 10,
        exportTimeoutMillis: 4000,
      });
      expect(config.serviceName).to.equal('code-service');
    });

    it('ignores a bad value, warning once per variable with its name and value', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        OTEL_EXPORTER_OTLP_TIMEOUT: 'soon',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli',
        OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign',
        OTEL_BLRP_MAX_QUEUE_SIZE: '-5',
      });
      expect(exportOf(config, 'traces')).to.include({ timeoutMillis: 10000, compression: 'gzip' });
      expect(exportOf(config, 'traces').headers).to.deep.equal({});
      expect(config.logQueue.maxQueueSize).to.equal(2048);
      expect(reporter.calls.map((call) => call.code).sort()).to.deep.equal([
        'INFERLENS_BAD_ENV_OTEL_BLRP_MAX_QUEUE_SIZE',
        'INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_COMPRESSION',
        'INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_HEADERS',
        'INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_TIMEOUT',
      ]);
      const timeout = reporter.calls.find((call) => call.code === 'INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_TIMEOUT');
      expect(timeout!.message).to.include('OTEL_EXPORTER_OTLP_TIMEOUT').and.include('soon');
    });

    it('reads OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE, warning once about a value it does not know', () => {
      const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318' };
      const temporality = (value: string | undefined): { exporter: PushMetricExporter; warned: string[] } => {
        const reporter = recordingReporter();
        const config = resolveConfig({}, reporter, {
          ...endpoint,
          OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: value,
        });
        return { exporter: otlpExporters(config.otlp!).metrics!, warned: reporter.calls.map((call) => call.code) };
      };
      const counter = (value: string | undefined): AggregationTemporality =>
        temporality(value).exporter.selectAggregationTemporality!(InstrumentType.COUNTER);
      expect(counter(undefined)).to.equal(AggregationTemporality.CUMULATIVE);
      expect(counter(' Delta ')).to.equal(AggregationTemporality.DELTA);
      expect(counter('lowmemory')).to.equal(AggregationTemporality.DELTA);
      const bad = temporality('deltas');
      expect(bad.exporter.selectAggregationTemporality!(InstrumentType.COUNTER)).to.equal(
        AggregationTemporality.CUMULATIVE,
      );
      expect(bad.warned).to.deep.equal(['INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE']);
    });

    it("reads OTEL_METRIC_EXPORT_TIMEOUT, by default the metric exporter's timeout, never past the interval", () => {
      const reporter = recordingReporter();
      const timeout = (env: NodeJS.ProcessEnv): number | undefined =>
        resolveConfig({}, reporter, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318', ...env }).otlp
          ?.metricExportTimeoutMillis;
      expect(timeout({})).to.equal(10000);
      expect(timeout({ OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '3000' })).to.equal(3000);
      expect(timeout({ OTEL_METRIC_EXPORT_TIMEOUT: '2000' })).to.equal(2000);
      expect(timeout({ OTEL_METRIC_EXPORT_TIMEOUT: '2000', OTEL_METRIC_EXPORT_INTERVAL: '500' })).to.equal(500);
      expect(timeout({ OTEL_METRIC_EXPORT_TIMEOUT: '0', OTEL_METRIC_EXPORT_INTERVAL: '90000' })).to.equal(90000);
      expect(reporter.calls).to.deep.equal([]);
      expect(timeout({ OTEL_METRIC_EXPORT_TIMEOUT: '2s' })).to.equal(10000);
      expect(reporter.calls.map((call) => call.code)).to.deep.equal(['INFERLENS_BAD_ENV_OTEL_METRIC_EXPORT_TIMEOUT']);
    });

    it('ignores and warns about a delay or time limit longer than a Node.js timer waits', () => {
      const reporter = recordingReporter();
      const tooLong = String(2 ** 31);
      const variables = [
        'OTEL_EXPORTER_OTLP_TIMEOUT',
        'OTEL_METRIC_EXPORT_INTERVAL',
        'OTEL_BLRP_SCHEDULE_DELAY',
        'OTEL_BLRP_EXPORT_TIMEOUT',
        'OTEL_BSP_SCHEDULE_DELAY',
        'OTEL_BSP_EXPORT_TIMEOUT',
      ];
      const config = resolveConfig({}, reporter, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        ...Object.fromEntries(variables.map((name) => [name, tooLong])),
      });
      expect(config.otlp).to.include({ metricExportIntervalMillis: 60000 });
      expect(exportOf(config, 'logs')).to.include({ timeoutMillis: 10000 });
      for (const queue of [config.logQueue, config.spanQueue]) {
        expect(queue).to.include({ scheduledDelayMillis: 1000, exportTimeoutMillis: 30000 });
      }
      expect(reporter.calls.map((call) => call.code).sort()).to.deep.equal(
        variables.map((name) => `INFERLENS_BAD_ENV_${name}`).sort(),
      );
      expect(reporter.calls[0].message).to.include('2147483647');
    });

    it('reads a time limit of 0 in a variable as no limit: the longest a Node.js timer waits', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        OTEL_EXPORTER_OTLP_TIMEOUT: '0',
        OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '500',
        OTEL_BLRP_EXPORT_TIMEOUT: '0',
        OTEL_BSP_EXPORT_TIMEOUT: '0',
        OTEL_BSP_SCHEDULE_DELAY: String(MAX_TIMER_MILLIS),
      });
      expect(exportOf(config, 'traces').timeoutMillis).to.equal(MAX_TIMER_MILLIS);
      expect(config.spanQueue.scheduledDelayMillis).to.equal(MAX_TIMER_MILLIS);
      expect(exportOf(config, 'logs').timeoutMillis).to.equal(500);
      expect([config.logQueue.exportTimeoutMillis, config.spanQueue.exportTimeoutMillis]).to.deep.equal([
        MAX_TIMER_MILLIS,
        MAX_TIMER_MILLIS,
      ]);
      expect(reporter.calls).to.deep.equal([]);
    });

    it('ignores and warns about a delay, time limit or size that is not written as a whole decimal number', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        OTEL_EXPORTER_OTLP_TIMEOUT: '1e3',
        OTEL_BSP_SCHEDULE_DELAY: '1.5',
        OTEL_BLRP_MAX_QUEUE_SIZE: '0x10',
        OTEL_BSP_MAX_QUEUE_SIZE: ' 100 ',
      });
      expect(exportOf(config, 'traces').timeoutMillis).to.equal(10000);
      expect(config.spanQueue).to.include({ scheduledDelayMillis: 1000, maxQueueSize: 100 });
      expect(config.logQueue.maxQueueSize).to.equal(2048);
      expect(reporter.calls.map((call) => call.code).sort()).to.deep.equal([
        'INFERLENS_BAD_ENV_OTEL_BLRP_MAX_QUEUE_SIZE',
        'INFERLENS_BAD_ENV_OTEL_BSP_SCHEDULE_DELAY',
        'INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_TIMEOUT',
      ]);
    });

    it("reads a signal's own OTLP variables over the generic ones, for that signal only", () => {
      // The TLS variables name files that must exist: a missing one is reported and ignored.
      const { folder, pem } = pemFolder();
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=acme,x-team=ml',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=traces',
        OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2000',
        OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: 'soon',
        OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'none',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_CERTIFICATE: pem('ca.pem'),
        OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE: pem('logs-ca.pem'),
        OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE: pem('traces-cert.pem'),
        OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: pem('traces-key.pem'),
      });
      rmSync(folder, { recursive: true });
      const logs = exportOf(config, 'logs');
      const traces = exportOf(config, 'traces');
      const metrics = exportOf(config, 'metrics');
      expect(traces.headers).to.deep.equal({ 'x-tenant': 'traces', 'x-team': 'ml' });
      expect(logs.headers).to.deep.equal({ 'x-tenant': 'acme', 'x-team': 'ml' });
      expect([logs.timeoutMillis, traces.timeoutMillis, metrics.timeoutMillis]).to.deep.equal([2500, 2000, 2500]);
      expect([logs.compression, traces.compression, metrics.compression]).to.deep.equal(['none', 'gzip', 'gzip']);
      expect([logs.protocol, traces.protocol, metrics.protocol]).to.deep.equal([
        'http/protobuf',
        'http/protobuf',
        'http/json',
      ]);
      expect([logs.certificate, traces.certificate]).to.deep.equal([
        join(folder, 'logs-ca.pem'),
        join(folder, 'ca.pem'),
      ]);
      expect(traces).to.include({
        clientCertificate: join(folder, 'traces-cert.pem'),
        clientKey: join(folder, 'traces-key.pem'),
      });
      expect(logs).to.include({ clientCertificate: undefined, clientKey: undefined });
      expect(reporter.calls.map((call) => call.code)).to.deep.equal([
        'INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_METRICS_TIMEOUT',
      ]);
    });

    it("takes a signal's compression, protocol and client key over the generic ones, which the other signals get", () => {
      const { folder, pem } = pemFolder();
      const config = resolveConfig({}, recordingReporter(), {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
        OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_CLIENT_KEY: pem('key.pem'),
        OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY: pem('logs-key.pem'),
      });
      rmSync(folder, { recursive: true });
      expect(exportOf(config, 'logs')).to.include({
        compression: 'gzip',
        protocol: 'http/protobuf',
        clientKey: join(folder, 'logs-key.pem'),
      });
      expect(exportOf(config, 'traces')).to.include({
        compression: 'none',
        protocol: 'http/json',
        clientKey: join(folder, 'key.pem'),
      });
    });

    it('says that OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported and what is sent instead', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4317',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'GRPC',
      });
      expect(exportOf(config, 'traces').protocol).to.equal('http/protobuf');
      expect(reporter.calls.map((call) => call.code)).to.deep.equal([
        'INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
      ]);
      expect(reporter.calls[0].message)
        .to.match(/OTEL_EXPORTER_OTLP_TRACES_PROTOCOL='GRPC' is not supported/)
        .and.match(/http\/protobuf/)
        .and.match(/4318/);
    });

    it('turns a signal off over OTLP with OTEL_<SIGNAL>_EXPORTER=none, leaving the payload records to the files', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({ otlp: { tracesEndpoint: 'http://tempo:4318/v1/traces' } }, reporter, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        OTEL_LOGS_EXPORTER: 'None',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'otlp',
      });
      expect(config.otlp?.logs).to.equal(undefined);
      // An endpoint given in code for the signal names it: code first, as everywhere.
      expect(exportOf(config, 'traces').url).to.equal('http://tempo:4318/v1/traces');
      expect(exportOf(config, 'metrics').url).to.equal('http://env-collector:4318/v1/metrics');
      expect(config.fileSink?.directory).to.equal('monitoring');
      expect(reporter.calls).to.deep.equal([]);
    });

    it('reports and ignores other OTEL_<SIGNAL>_EXPORTER values, and none beside another exporter', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        OTEL_LOGS_EXPORTER: 'otlp,console',
        OTEL_TRACES_EXPORTER: 'none,otlp,prometheus',
        OTEL_METRICS_EXPORTER: 'zipkin',
      });
      for (const signal of SIGNALS) {
        expect(exportOf(config, signal).url).to.equal(`http://env-collector:4318/v1/${signal}`);
      }
      expect(config.prometheus).to.equal(undefined);
      // A listed exporter is named as not supported; none beside otlp is contradictory, not unknown.
      const ignored = (signal: string, value: string, kinds: string, supported = 'over OTLP,') => ({
        code: `INFERLENS_BAD_ENV_OTEL_${signal.toUpperCase()}_EXPORTER`,
        message:
          `OTEL_${signal.toUpperCase()}_EXPORTER='${value}': ${kinds} ignored: the middleware exports ${signal} ` +
          `${supported} or not at all with OTEL_${signal.toUpperCase()}_EXPORTER=none alone`,
      });
      expect(reporter.calls).to.deep.equal([
        ignored('logs', 'otlp,console', 'console (not supported)'),
        // Prometheus scrapes metrics only.
        ignored('traces', 'none,otlp,prometheus', 'none, prometheus (not supported)'),
        ignored('metrics', 'zipkin', 'zipkin (not supported)', 'over OTLP and to Prometheus (prometheus),'),
      ]);
    });

    it('serves the metrics for Prometheus when OTEL_METRICS_EXPORTER lists prometheus, over OTLP as well only beside otlp', () => {
      const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318' };
      const alone = resolveConfig({}, recordingReporter(), { ...env, OTEL_METRICS_EXPORTER: 'prometheus' });
      expect(alone.prometheus).to.deep.equal({ host: 'localhost', port: 9464 });
      expect(alone.otlp?.metrics).to.equal(undefined);
      expect(exportOf(alone, 'logs').url).to.equal('http://env-collector:4318/v1/logs');
      const both = resolveConfig({}, recordingReporter(), {
        ...env,
        OTEL_METRICS_EXPORTER: 'Prometheus, otlp',
        OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
        OTEL_EXPORTER_PROMETHEUS_PORT: '9100',
      });
      expect(both.prometheus).to.deep.equal({ host: '0.0.0.0', port: 9100 });
      expect(exportOf(both, 'metrics').url).to.equal('http://env-collector:4318/v1/metrics');
    });

    it('takes the prometheus option over the variables: false turns the endpoint off, fields win one by one', () => {
      const env = {
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
        OTEL_EXPORTER_PROMETHEUS_PORT: '9100',
      };
      expect(resolveConfig({ prometheus: false }, recordingReporter(), env).prometheus).to.equal(undefined);
      expect(resolveConfig({ prometheus: { port: 0 } }, recordingReporter(), env).prometheus).to.deep.equal({
        host: '0.0.0.0',
        port: 0,
      });
      expect(resolveConfig({ prometheus: true }, recordingReporter(), {}).prometheus).to.deep.equal({
        host: 'localhost',
        port: 9464,
      });
      expect(resolveConfig({}, recordingReporter(), {}).prometheus).to.equal(undefined);
    });

    it('refuses a bad prometheus option, and reports and ignores a bad port variable', () => {
      for (const [prometheus, message] of [
        [{ port: 65536 }, /prometheus\.port must be an integer from 0 to 65535, got 65536/],
        [{ port: 80.5 }, /prometheus\.port must be an integer from 0 to 65535/],
        [{ host: '' }, /prometheus\.host must be a non-empty string/],
        ['yes', /prometheus must be a boolean or an object of port and host, got "yes"/],
      ] as const) {
        expect(
          () => resolveConfig({ prometheus } as never, recordingReporter(), {}),
          JSON.stringify(prometheus),
        ).to.throw(TypeError, message);
      }
      const reporter = recordingReporter();
      const config = resolveConfig({ prometheus: true }, reporter, { OTEL_EXPORTER_PROMETHEUS_PORT: 'ninety' });
      expect(config.prometheus?.port).to.equal(9464);
      expect(reporter.calls.map((call) => call.code)).to.deep.equal([
        'INFERLENS_BAD_ENV_OTEL_EXPORTER_PROMETHEUS_PORT',
      ]);
    });

    it("leaves OTEL_<SIGNAL>_EXPORTER to the application's SDK with providers: 'global'", () => {
      const reporter = recordingReporter();
      resolveConfig({ providers: 'global' }, reporter, { OTEL_TRACES_EXPORTER: 'console' });
      expect(reporter.calls).to.deep.equal([]);
    });

    it('ignores and warns about a TLS file variable naming no readable file; throws for one in code', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://env-collector:4318',
        OTEL_EXPORTER_OTLP_CERTIFICATE: '/nonexistent/ca.pem',
        OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: '/nonexistent/key.pem',
        // A folder can be read too, but it is no PEM file.
        OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE: tmpdir(),
      });
      expect(exportOf(config, 'traces')).to.include({ certificate: undefined, clientKey: undefined });
      expect(exportOf(config, 'logs')).to.include({ certificate: undefined });
      expect(reporter.calls.map((call) => call.code).sort()).to.deep.equal([
        'INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_CERTIFICATE',
        'INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE',
        'INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY',
      ]);
      for (const option of ['certificate', 'clientCertificate', 'clientKey']) {
        const options = { otlp: { endpoint: 'https://collector:4318', [option]: '/nonexistent/file.pem' } };
        expect(() => resolveConfig(options, recordingReporter(), {}), option).to.throw(
          TypeError,
          new RegExp(`otlp\\.${option}.*nonexistent`),
        );
      }
    });

    it('treats an empty value as unset', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_BLRP_MAX_QUEUE_SIZE: ' ' });
      expect(config.otlp).to.equal(undefined);
      expect(config.logQueue.maxQueueSize).to.equal(2048);
      expect(reporter.calls).to.deep.equal([]);
    });

    it('ignores and warns about an OTEL_EXPORTER_OTLP_ENDPOINT that is not a URL', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' });
      expect(config.otlp).to.equal(undefined);
      expect(reporter.calls.map((call) => call.code)).to.deep.equal(['INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_ENDPOINT']);
    });

    it('ignores and warns about a queue size of 0 from the environment', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, { OTEL_BLRP_MAX_QUEUE_SIZE: '0' });
      expect(config.logQueue.maxQueueSize).to.equal(2048);
      expect(reporter.calls).to.have.lengthOf(1);
    });

    it('reads queue bounds from the environment down to their least, keeping a batch within the queue', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, {
        OTEL_BLRP_MAX_QUEUE_SIZE: '10',
        OTEL_BLRP_SCHEDULE_DELAY: '0',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0',
      });
      expect(config.logQueue).to.include({ maxQueueSize: 10, maxExportBatchSize: 10, scheduledDelayMillis: 0 });
      expect(config.spanQueue.maxExportBatchSize).to.equal(512);
      expect(reporter.calls.map((call) => call.code)).to.deep.equal([
        'INFERLENS_BAD_ENV_OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      ]);
    });

    it('ignores and warns about a queue size that is not a whole number, and a header without a name', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        OTEL_BSP_MAX_QUEUE_SIZE: '2.5',
        OTEL_EXPORTER_OTLP_HEADERS: '=anonymous',
      });
      expect(config.spanQueue.maxQueueSize).to.equal(2048);
      expect(exportOf(config, 'traces').headers).to.deep.equal({});
      expect(reporter.calls.map((call) => call.code).sort()).to.deep.equal([
        'INFERLENS_BAD_ENV_OTEL_BSP_MAX_QUEUE_SIZE',
        'INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_HEADERS',
      ]);
    });
    it('keeps the OTLP headers beside a bad entry, warning without its value which entries no exporter sends', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        // An empty entry, one with no '=', one with a bad percent-escape, a trailing comma.
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=secret%20key,,Bearer secret ,x-b=secret%zz, x-tenant = acme ,',
      });
      expect(exportOf(config, 'traces').headers).to.deep.equal({ 'x-api-key': 'secret key', 'x-tenant': 'acme' });
      expect(reporter.calls.map((call) => call.code)).to.deep.equal(['INFERLENS_BAD_ENV_OTEL_EXPORTER_OTLP_HEADERS']);
      expect(reporter.calls[0].message).to.include('OTEL_EXPORTER_OTLP_HEADERS').and.not.include('secret');
      expect(reporter.calls[0].message).to.include('entries 2, 3 of 4 are skipped').and.not.include('fail');
    });

    /** The trace export's headers and the one warning, from OTEL_EXPORTER_OTLP_HEADERS set to `value`. */
    function headersFromVariable(value: string): { headers: Record<string, string>; warning: { message: string } } {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        OTEL_EXPORTER_OTLP_HEADERS: value,
      });
      expect(reporter.calls).to.have.lengthOf(1);
      return { headers: exportOf(config, 'traces').headers, warning: reporter.calls[0] };
    }

    it('warns that an OTLP header entry Node.js cannot send fails the exports, as the SDK exporters send it', () => {
      // A name that is no HTTP token, a value with a line break, one with no '=': the SDK's exporters, which read
      // the variable themselves, send the first two and skip the third.
      const { headers, warning } = headersFromVariable(
        'bad name=secret,x-a=secret%0D%0Ax-b: 2,Bearer secret,x-tenant=acme',
      );
      expect(headers).to.deep.equal({ 'x-tenant': 'acme' });
      expect(warning.message).to.include('OTEL_EXPORTER_OTLP_HEADERS').and.not.include('secret');
      expect(warning.message).to.include('entries 3 of 4 are skipped');
      expect(warning.message).to.match(/entries 1, 2 of 4 cannot be sent.*read this variable too.*fail/);
      expect(warning.message).to.not.match(/entries 1, 2 of 4 (are|is) skipped/);
    });

    it("warns that the SDK exporters send what comes before a ';' of an OTLP header entry it skips", () => {
      // A bad percent-escape after a ';': the SDK's exporters read `x-a: secret`, a W3C Baggage entry's value
      // before its properties, and send it. Before the ';', the escape makes the SDK skip the entry as well.
      const { headers, warning } = headersFromVariable('x-a=secret;%zz,x-b=secret%zz;c,x-tenant=acme');
      expect(headers).to.deep.equal({ 'x-tenant': 'acme' });
      expect(warning.message).to.not.include('secret');
      expect(warning.message).to.include('entries 2 of 3 are skipped');
      expect(warning.message).to.match(/entries 1 of 3 are skipped here.*read this variable too.*before its ';'/);
    });

    it('leaves out a blank OTLP header entry, as it does an empty one, without a warning', () => {
      const reporter = recordingReporter();
      const config = resolveConfig({}, reporter, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=acme, ,x-team=ml',
      });
      expect(exportOf(config, 'traces').headers).to.deep.equal({ 'x-tenant': 'acme', 'x-team': 'ml' });
      expect(reporter.calls).to.deep.equal([]);
    });
  });

  describe('service.name', () => {
    const environment = { OTEL_SERVICE_NAME: 'env-name', OTEL_RESOURCE_ATTRIBUTES: 'service.name=env-attribute' };
    const attributes = { resourceAttributes: { 'service.name': 'code-attribute' } };
    const cases: [string, InferenceTelemetryOptions, NodeJS.ProcessEnv, string][] = [
      ['serviceName', { serviceName: 'code-name', ...attributes }, environment, 'code-name'],
      ['OTEL_SERVICE_NAME', attributes, environment, 'env-name'],
      ['resourceAttributes', attributes, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=env-attribute' }, 'code-attribute'],
      ['OTEL_RESOURCE_ATTRIBUTES', {}, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=env-attribute' }, 'env-attribute'],
      ['the default', {}, {}, 'inferlens'],
    ];
    for (const [source, options, env, expected] of cases) {
      it(`comes from ${source} when nothing before it in the order names one`, () => {
        const config = resolveConfig(options, recordingReporter(), env);
        expect(config.serviceName).to.equal(expected);
      });
    }

    it('skips empty OTEL_RESOURCE_ATTRIBUTES entries and discards the whole value on a bad one', () => {
      const reporter = recordingReporter();
      const kept = resolveConfig({}, reporter, { OTEL_RESOURCE_ATTRIBUTES: 'team=ml,,region=eu%20west,' });
      expect(kept.resourceAttributes).to.deep.equal({ team: 'ml', region: 'eu west' });
      expect(reporter.calls).to.deep.equal([]);
      const discarded = resolveConfig({}, reporter, { OTEL_RESOURCE_ATTRIBUTES: 'team=ml, =nameless' });
      expect(discarded.resourceAttributes).to.deep.equal({});
      expect(reporter.calls.map((call) => call.code)).to.deep.equal(['INFERLENS_BAD_ENV_OTEL_RESOURCE_ATTRIBUTES']);
    });

    it('must be a string in resourceAttributes', () => {
      const options = { resourceAttributes: { 'service.name': 42 } };
      expect(() => resolveConfig(options, recordingReporter(), {})).to.throw(TypeError, /service\.name.*42/);
    });
  });

  describe('resource detectors', () => {
    const ALL = ['host', 'os', 'serviceinstance', 'process'];
    const detectorsOf = (
      options: InferenceTelemetryOptions,
      value: string | undefined,
    ): { detectors: readonly string[]; warned: string[] } => {
      const reporter = recordingReporter();
      const environment = value === undefined ? {} : { OTEL_NODE_RESOURCE_DETECTORS: value };
      const { resourceDetectors } = resolveConfig(options, reporter, environment);
      return { detectors: resourceDetectors, warned: reporter.calls.map((call) => call.message) };
    };

    it('are all four by default', () => {
      expect(detectorsOf({}, undefined)).to.deep.equal({ detectors: ALL, warned: [] });
    });

    it('are those OTEL_NODE_RESOURCE_DETECTORS names, case aside; env changes nothing, as the attributes are always read', () => {
      expect(detectorsOf({}, 'Process, host,env')).to.deep.equal({ detectors: ['process', 'host'], warned: [] });
    });

    it('are all of them with all in the variable, whatever is beside it, and none with none', () => {
      expect(detectorsOf({}, 'host,all').detectors).to.deep.equal(ALL);
      expect(detectorsOf({}, 'all,none').detectors).to.deep.equal(ALL);
      expect(detectorsOf({}, 'none,host').detectors).to.deep.equal([]);
    });

    it('keep the known names of the variable beside an unknown one, which is reported', () => {
      const { detectors, warned } = detectorsOf({}, 'host,gcp,os,aws');
      expect(detectors).to.deep.equal(['host', 'os']);
      expect(warned).to.have.lengthOf(1);
      expect(warned[0]).to.match(/^OTEL_NODE_RESOURCE_DETECTORS='host,gcp,os,aws': gcp, aws skipped: expected host,/);
    });

    it('come from resourceDetectors over the variable, each once; [] is none', () => {
      expect(detectorsOf({ resourceDetectors: ['os', 'os'] }, 'host').detectors).to.deep.equal(['os']);
      expect(detectorsOf({ resourceDetectors: [] }, 'all').detectors).to.deep.equal([]);
    });
  });

  describe('the default reporter', () => {
    const warnings = useRecordedWarnings();

    it('emits a process warning once per code', () => {
      const reporter = processWarningReporter();
      reporter.warnOnce('A', 'first');
      reporter.warnOnce('A', 'again');
      reporter.warnOnce('B', 'other');
      expect(warnings.messages).to.deep.equal(['first', 'other']);
    });
  });
});
