/** `InferenceServer.close()` when the shutdown timeout runs out with a call still in flight. */
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
