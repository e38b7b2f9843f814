/**
 * OTLP over TLS, to a receiver on port 0 serving HTTPS with certificates
 * made for the run: an `https://` endpoint is verified against the CA that
 * `otlp.certificate` names, a collector that asks for a client certificate
 * gets `otlp.clientCertificate` and `otlp.clientKey`, and a handshake that
 * fails stops the export, reported once with its reason, never a prediction.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { InferenceTelemetryOptions } from '../packages/express/src/index.js';
import type { InferenceServer } from '../packages/server/src/index.js';
import { IRIS_V1_BODY } from './support/iris-calls.js';
import { recordsOfCall, spansOfCall } from './support/otlp-model.js';
import type { OtlpReceiver, OtlpReceiverOptions } from './support/otlp-receiver.js';
import { startOtlpReceiver } from './support/otlp-receiver.js';
import { DEMO_REPOSITORY, serveRepository } from './support/server.js';
import type { TestCertificates } from './support/tls.js';
import { makeTestCertificates } from './support/tls.js';
import type { CollectedWarnings } from './support/warnings.js';
import { collectWarnings } from './support/warnings.js';

const LOGS_EXPORT_FAILED = 'INFERLENS_EXPORT_FAILED_LOGS_TO_OTLP';

/** Sends one prediction with `requestId`; it must answer as it would without telemetry. */
async function predict(url: string, requestId: string): Promise<void> {
  const response = await fetch(`${url}/v1/models/iris:predict`, {
    method: 'POST',
    body: IRIS_V1_BODY,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
  });
  expect(response.status).to.equal(200);
  expect(await response.json()).to.deep.equal({ predictions: [1, 1] });
}

describe('telemetry over TLS: an https collector endpoint', function () {
  this.timeout(30_000);

  let dir: string;
  let certs: TestCertificates;
  let receiver: OtlpReceiver | undefined;
  let server: InferenceServer | undefined;
  let warnings: CollectedWarnings | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inferlens-tls-'));
    certs = await makeTestCertificates(dir);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    warnings?.stop();
    await server?.close();
    await receiver?.close();
    server = receiver = warnings = undefined;
  });

  /** A receiver serving the test server certificate, and a server exporting to it with `otlp` TLS options. */
  async function start(
    tls: Omit<NonNullable<OtlpReceiverOptions['tls']>, 'key' | 'cert'>,
    otlp: NonNullable<InferenceTelemetryOptions['otlp']>,
  ): Promise<{ receiver: OtlpReceiver; server: InferenceServer }> {
    receiver = await startOtlpReceiver({ tls: { key: certs.server.key, cert: certs.server.cert, ...tls } });
    warnings = collectWarnings();
    server = await serveRepository(DEMO_REPOSITORY, {
      telemetry: {
        otlp: { endpoint: receiver.url, metricExportIntervalMillis: 200, timeoutMillis: 2000, ...otlp },
        queue: { scheduledDelayMillis: 20 },
        fileSink: { enabled: false },
      },
    });
    return { receiver, server };
  }

  /** Waits until the call's two records, its span and a metrics export have arrived. */
  async function arrived(at: OtlpReceiver, requestId: string): Promise<void> {
    await at.waitFor(
      (r) =>
        recordsOfCall(r.logRecords(), requestId).length === 2 &&
        spansOfCall(r.spans(), requestId).length === 1 &&
        r.metrics().length > 0,
    );
  }

  /** Sends predictions until the logs export has failed, then checks that nothing reached the receiver. */
  async function refused(at: InferenceServer, from: OtlpReceiver, prefix: string): Promise<string> {
    for (let i = 0; i < 3; i++) await predict(at.url, `${prefix}-${i}`);
    const deadline = Date.now() + 10_000;
    while (!warnings!.messages.has(LOGS_EXPORT_FAILED) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(warnings!.codes).to.include(LOGS_EXPORT_FAILED);
    expect(from.requests(), 'no request gets past the handshake').to.be.empty;
    return warnings!.messages.get(LOGS_EXPORT_FAILED)!;
  }

  it('is sent logs, spans and metrics when `otlp.certificate` names the CA that signed its certificate', async () => {
    const started = await start({}, { certificate: certs.ca.certFile });
    expect(started.receiver.url).to.match(/^https:\/\//);
    await predict(started.server.url, 'tls-ca');
    await arrived(started.receiver, 'tls-ca');
    expect(warnings!.codes).to.be.empty;
  });

  it('that asks for a client certificate is sent one from `otlp.clientCertificate` and `otlp.clientKey`', async () => {
    const started = await start(
      { ca: certs.ca.cert, requestCert: true },
      { certificate: certs.ca.certFile, clientCertificate: certs.client.certFile, clientKey: certs.client.keyFile },
    );
    await predict(started.server.url, 'tls-mutual');
    await arrived(started.receiver, 'tls-mutual');
  });

  it('that asks for a client certificate gets nothing without one; predictions answer and the failure is reported once', async () => {
    const started = await start({ ca: certs.ca.cert, requestCert: true }, { certificate: certs.ca.certFile });
    const message = await refused(started.server, started.receiver, 'tls-no-client');
    // TLS 1.3 ends the client's handshake before the server checks its certificate: the server's alert may
    // arrive first, or the connection it then closes may fail the request's write.
    expect(message).to.match(/certificate required|write ECONNRESET/i);
    // OpenSSL ends its message in a line break; the report is one line.
    expect(message).to.not.include('\n');
    expect(warnings!.codes.filter((code) => code === LOGS_EXPORT_FAILED)).to.have.lengthOf(1);
  });

  it('whose certificate the trusted CAs do not know gets nothing; predictions answer and the reason is reported', async () => {
    // Without `otlp.certificate` the system's CAs are trusted, and they have never seen the test CA.
    const started = await start({}, {});
    const message = await refused(started.server, started.receiver, 'tls-unknown-ca');
    expect(message).to.match(/unable to verify the first certificate/);
  });
});
