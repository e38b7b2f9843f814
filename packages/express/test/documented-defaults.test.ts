/**
 * The defaults are the ones docs/configuration.md gives: each is read from
 * the document's option table and compared with the configuration the
 * middleware resolves and, for the OTLP ones, with what a real receiver
 * gets. A default changed in code but not in the document (or one the
 * pinned exporters stop honouring) fails here.
 */
import { expect } from 'chai';
import { OTLP_TEMPORALITY } from '../../../test/support/otlp-model.js';
import { useOtlpReceiver } from '../../../test/support/use-otlp-receiver.js';
import { BoundedExportQueue, exportQueueOptions } from '../src/export/bounded-queue.js';
import type { ExportQueueOptions } from '../src/export/bounded-queue.js';
import { resolveConfig } from '../src/config.js';
import { readDoc, tableRows } from '../../../test/support/documented-table.js';
import { recordingReporter, SUCCESS } from './export-helpers.js';
import { useServers } from './in-memory-telemetry.js';
import { exportOneCall } from './one-call.js';

/** Each option's default cell, by option name; a row naming two options gives it to both. */
const DOCUMENTED = new Map(
  tableRows(readDoc('docs/configuration.md'), '## `inferenceTelemetry(options)`').flatMap(([names, , fallback]) =>
    names.split(',').map((name) => [name.trim(), fallback] as const),
  ),
);

/** The documented default of `option`, its quotes gone (`'own'` is `own`). */
function documented(option: string): string {
  const cell = DOCUMENTED.get(option);
  if (cell === undefined) throw new Error(`docs/configuration.md gives no default for ${option}`);
  return cell.replace(/^'(.*)'$/, '$1');
}

function documentedNumber(option: string): number {
  const value = Number(documented(option));
  if (!Number.isFinite(value)) throw new Error(`the default of ${option} is not a number: ${documented(option)}`);
  return value;
}

/** The path the document appends to the endpoint for a signal: `endpoint + /v1/logs` gives `/v1/logs`. */
function documentedPath(option: string): string {
  const match = /^endpoint \+ (\/\S+)$/.exec(documented(option));
  if (match === null) throw new Error(`the default of ${option} is not endpoint + a path: ${documented(option)}`);
  return match[1];
}

const QUEUE_BOUNDS = ['maxQueueSize', 'maxExportBatchSize', 'scheduledDelayMillis', 'exportTimeoutMillis'] as const;

/** The queue bounds the document gives. */
function documentedQueue(): ExportQueueOptions {
  return Object.fromEntries(
    QUEUE_BOUNDS.map((bound) => [bound, documentedNumber(`queue.${bound}`)]),
  ) as unknown as ExportQueueOptions;
}

/** The endpoint option of each signal, by the path the receiver names it with. */
const SIGNAL_ENDPOINTS = { logs: 'otlp.logsEndpoint', traces: 'otlp.tracesEndpoint', metrics: 'otlp.metricsEndpoint' };

/** The content type each documented protocol is sent with. */
const CONTENT_TYPES: Record<string, string> = {
  'http/protobuf': 'application/x-protobuf',
  'http/json': 'application/json',
};

describe('the defaults docs/configuration.md gives', () => {
  it('are what the middleware resolves with no options and no environment', () => {
    const reporter = recordingReporter();
    const config = resolveConfig({}, reporter, {});
    expect(config).to.deep.include({
      providers: documented('providers'),
      serviceName: documented('serviceName'),
      resourceAttributes: JSON.parse(documented('resourceAttributes')),
      mode: documented('mode'),
      payloadSampleRate: documentedNumber('payloadSampleRate'),
      slowRequestThresholdMs: documentedNumber('slowRequestThresholdMs'),
      captureHeaders: JSON.parse(documented('captureHeaders')),
      redactPaths: JSON.parse(documented('redactPaths')),
      maxPayloadBytes: documentedNumber('maxPayloadBytes'),
      embeddingVectors: documented('embeddingVectors'),
    });
    expect(config.fileSink).to.deep.equal({
      directory: documented('fileSink.directory'),
      maxFileBytes: documentedNumber('fileSink.maxFileBytes'),
      maxFiles: documentedNumber('fileSink.maxFiles'),
    });
    expect(config.prometheus, 'prometheus').to.equal(undefined);
    expect(documented('prometheus')).to.match(/^off\b/);
    expect(resolveConfig({ prometheus: true }, reporter, {}).prometheus).to.deep.equal({
      host: documented('prometheus.host'),
      port: documentedNumber('prometheus.port'),
    });
    expect(config.logQueue, 'logs').to.deep.equal(documentedQueue());
    expect(config.spanQueue, 'spans').to.deep.equal(documentedQueue());
    expect(reporter.calls).to.deep.equal([]);
  });

  it("are each signal's OTLP settings when only an endpoint is given", () => {
    const endpoint = 'http://collector:4318';
    const { otlp } = resolveConfig({ otlp: { endpoint } }, recordingReporter(), {});
    for (const [signal, option] of Object.entries(SIGNAL_ENDPOINTS)) {
      expect(otlp?.[signal as keyof typeof SIGNAL_ENDPOINTS], signal).to.deep.equal({
        url: `${endpoint}${documentedPath(option)}`,
        headers: JSON.parse(documented('otlp.headers')),
        timeoutMillis: documentedNumber('otlp.timeoutMillis'),
        compression: documented('otlp.compression'),
        protocol: documented('otlp.protocol'),
        // The document's "Node.js's trusted CAs" and "none": no file is named.
        certificate: undefined,
        clientCertificate: undefined,
        clientKey: undefined,
      });
    }
    expect(otlp?.metricExportIntervalMillis).to.equal(documentedNumber('otlp.metricExportIntervalMillis'));
  });

  it('are the bounds of a queue given none, which holds and batches as many records as they say', async () => {
    const bounds = documentedQueue();
    expect(exportQueueOptions()).to.deep.equal(bounds);
    const batches: number[] = [];
    const queue = new BoundedExportQueue<number>(
      (items) => {
        batches.push(items.length);
        return Promise.resolve(SUCCESS);
      },
      exportQueueOptions(),
      recordingReporter(),
      'logs to otlp',
    );
    // Pushed in one turn of the event loop: no export has started yet, so only the queue's bound limits them.
    for (let i = 0; i <= bounds.maxQueueSize; i++) queue.push(i);
    await queue.shutdown();
    expect(queue.dropped).to.equal(1);
    const fullBatches = bounds.maxQueueSize / bounds.maxExportBatchSize;
    expect(batches).to.deep.equal(Array.from({ length: fullBatches }, () => bounds.maxExportBatchSize));
  });

  describe('over the wire', () => {
    const servers = useServers();
    const receiver = useOtlpReceiver();

    it('send each signal to its documented path, compressed and encoded as documented, metrics cumulative', async () => {
      await exportOneCall(servers, { otlp: { endpoint: receiver().url } });
      const received = receiver();
      const compression = documented('otlp.compression');
      for (const [signal, option] of Object.entries(SIGNAL_ENDPOINTS)) {
        const sent = received.requests().filter((request) => request.signal === signal);
        expect(sent, `${signal}: ${received.describe()}`).to.not.be.empty;
        for (const request of sent) {
          expect(request.path, signal).to.equal(documentedPath(option));
          expect(request.contentEncoding, signal).to.equal(compression === 'none' ? undefined : compression);
          expect(request.contentType, signal).to.equal(CONTENT_TYPES[documented('otlp.protocol')]);
          expect(request.accepted, signal).to.equal(true);
        }
      }
      const temporalities = received
        .metrics()
        .filter((metric) => metric.aggregationTemporality !== undefined)
        .map((metric) => metric.aggregationTemporality);
      expect(temporalities).to.not.be.empty;
      expect(new Set(temporalities)).to.deep.equal(new Set([OTLP_TEMPORALITY.CUMULATIVE]));
    });
  });
});
