/** `startServer` as a library: the requests it makes, its options checked before anything starts, and nothing left running when it fails. */
import { constants } from 'node:buffer';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { expect } from 'chai';
import { DEMO_REPOSITORY, serveRepository } from '../../../test/support/server.js';
import { useOtlpReceiver } from '../../../test/support/use-otlp-receiver.js';
import type { ServerOptions } from '../src/index.js';
import { startServer } from '../src/index.js';

// The limits as Node sets them, not as the server declares them, so that a
// lowered bound in the source fails here.
/** The longest delay `setTimeout` waits for: 2^31 - 1 ms. */
const MAX_SHUTDOWN_TIMEOUT_MS = 2 ** 31 - 1;
/** The largest Buffer Node can allocate. */
const MAX_BODY_BYTES = constants.MAX_LENGTH;

/** What `startServer` rejects with for `options` (on a free port, without telemetry unless given). */
async function refusal(options: Partial<ServerOptions>): Promise<Error> {
  const started = startServer({
    modelRepository: DEMO_REPOSITORY,
    port: 0,
    host: '127.0.0.1',
    telemetry: false,
    ...options,
  });
  const outcome = await started.then(
    async (server) => {
      await server.close();
      return undefined;
    },
    (error: unknown) => error as Error,
  );
  expect(outcome, JSON.stringify(options)).to.be.an('error');
  return outcome!;
}

describe('startServer', () => {
  const receiver = useOtlpReceiver({ per: 'test' });

  it("makes each request and response with its Express app's prototypes, on the routes Express answers and the others", async () => {
    const server = await serveRepository(DEMO_REPOSITORY);
    const paths = ['/v2/health/ready', '/v1/models/iris:predict'];
    const seen: Record<string, boolean[]> = {};
    // Published as the server takes the request, before any of its listeners, Express included, sees it.
    const onStart = (message: unknown): void => {
      const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
      if (!paths.includes(request.url!)) return;
      seen[request.url!] = ['accepts' in request, 'json' in response];
    };
    subscribe('http.server.request.start', onStart);
    try {
      expect((await fetch(`${server.url}${paths[0]}`)).status).to.equal(200);
      const predict = await fetch(`${server.url}${paths[1]}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"instances":[[6.8,2.8,4.8,1.4]]}',
      });
      expect(predict.status).to.equal(200);
    } finally {
      unsubscribe('http.server.request.start', onStart);
      await server.close();
    }
    expect(seen).to.deep.equal({ [paths[0]]: [true, true], [paths[1]]: [true, true] });
  });

  it('refuses a shutdown timeout a timer cannot wait for, and a body limit no Buffer can hold, naming the option', async () => {
    for (const shutdownTimeoutMs of [MAX_SHUTDOWN_TIMEOUT_MS + 1, -1, 1.5, Number.NaN]) {
      const error = await refusal({ shutdownTimeoutMs });
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.equal(
        `shutdownTimeoutMs must be an integer from 0 to ${MAX_SHUTDOWN_TIMEOUT_MS}, got ${shutdownTimeoutMs}`,
      );
    }
    for (const maxBodyBytes of [0, MAX_BODY_BYTES + 1, 2.5]) {
      const error = await refusal({ maxBodyBytes });
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.equal(
        `maxBodyBytes must be an integer from 1 to ${MAX_BODY_BYTES}, got ${maxBodyBytes}`,
      );
    }
  });

  it('takes both bounds of the shutdown timeout and of the body limit', async () => {
    for (const options of [
      { shutdownTimeoutMs: 0, maxBodyBytes: 1 },
      { shutdownTimeoutMs: MAX_SHUTDOWN_TIMEOUT_MS, maxBodyBytes: MAX_BODY_BYTES },
    ]) {
      const server = await serveRepository(DEMO_REPOSITORY, options);
      await server.close();
    }
  });

  it('for a monitoring folder under a file, rejects and stops the telemetry it had started', async () => {
    const error = await refusal({
      telemetry: {
        otlp: { endpoint: receiver().url },
        fileSink: { enabled: true, directory: 'package.json/monitoring' },
      },
    });
    expect(error.message).to.equal(
      "the monitoring folder 'package.json/monitoring' is a file, or under one: no telemetry could be written there",
    );
    expect(receiver().metrics(), receiver().describe()).to.not.be.empty;
  });

  it('on a port already in use, rejects with the listen error and stops the telemetry it had started', async () => {
    const occupant = createServer().listen(0, '127.0.0.1');
    await once(occupant, 'listening');
    try {
      const { port } = occupant.address() as AddressInfo;
      const error = await refusal({ port, telemetry: { otlp: { endpoint: receiver().url } } });
      expect((error as NodeJS.ErrnoException).code).to.equal('EADDRINUSE');
      // Stopping the providers exports their last metrics; left running, they would not export for a minute.
      expect(receiver().metrics(), receiver().describe()).to.not.be.empty;
    } finally {
      occupant.close();
    }
  });
});
