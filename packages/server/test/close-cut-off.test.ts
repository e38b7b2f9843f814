/** `InferenceServer.close()` when the shutdown timeout runs out: a call still in flight, a flush not done. */
import type { ClientRequest } from 'node:http';
import { request } from 'node:http';
import { expect } from 'chai';
import { DEMO_REPOSITORY, serveRepository } from '../../../test/support/server.js';
import { useOtlpReceiver } from '../../../test/support/use-otlp-receiver.js';

/** Batches wait a minute: what reaches the receiver was sent by the shutdown flush. */
const LONG_DELAY = { scheduledDelayMillis: 60_000 };

/** A V1 predict whose body never finishes: it is in flight until the server cuts it off. */
function neverFinishedPredict(url: string, requestId: string): { sent: Promise<void>; req: ClientRequest } {
  const req = request(`${url}/v1/models/iris:predict`, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': 1000, 'x-request-id': requestId },
  });
  req.on('error', () => undefined);
  const sent = new Promise<void>((resolve) => req.write('{"instances": [', () => resolve()));
  return { sent, req };
}

describe('InferenceServer.close() past its timeout', () => {
  const receiver = useOtlpReceiver({ per: 'test' });

  it('says so when the telemetry flush did not finish in time, rather than losing the records silently', async () => {
    const warnings: string[] = [];
    const server = await serveRepository(DEMO_REPOSITORY, {
      shutdownTimeoutMs: 0,
      logger: { info: () => undefined, warn: (message) => warnings.push(message), error: () => undefined },
      telemetry: {
        otlp: { endpoint: receiver().url, compression: 'none' },
        fileSink: { enabled: false },
        queue: LONG_DELAY,
      },
    });
    const answer = await fetch(`${server.url}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"instances": [[6.8, 2.8, 4.8, 1.4]]}',
    });
    expect(answer.status).to.equal(200);
    receiver().respond = 'hang';
    const started = Date.now();
    await server.close();
    // A timeout of 0 still gives the flush its 1 s; a hanging collector holds it no longer.
    expect(Date.now() - started).to.be.within(900, 3000);
    expect(warnings).to.deep.equal([
      'the telemetry flush did not finish within 1000 ms: what was still queued or being exported is lost',
    ]);
  });

  it('records the call it cut off, and exports its span before it resolves', async () => {
    const server = await serveRepository(DEMO_REPOSITORY, {
      shutdownTimeoutMs: 200,
      telemetry: {
        otlp: { endpoint: receiver().url, compression: 'none' },
        fileSink: { enabled: false },
        queue: LONG_DELAY,
      },
    });
    const { sent, req } = neverFinishedPredict(server.url, 'cut-off');
    await sent;
    // The server has read the headers once the call counts as active.
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      await server.close();
    } finally {
      req.destroy();
    }
    const spans = receiver()
      .spans()
      .filter((span) => span.attributes['inference.request.id'] === 'cut-off');
    expect(spans, receiver().describe()).to.have.lengthOf(1);
    expect(spans[0].attributes['http.response.status_code']).to.equal(499);
  });
});
