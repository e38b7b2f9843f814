import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { expect } from 'chai';
import { runClosedLoop } from '../bench/closed-loop.js';
import { jsonRequest } from '../bench/load.js';

const CONNECTIONS = 2;
/** autocannon's shortest timeout. */
const TIMEOUT_SECONDS = 1;
/** Long enough for every connection to time out more than once. */
const DURATION_SECONDS = 3;

describe('bench closed-loop load', () => {
  let server: Server | undefined;

  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  it('counts a request that timed out as one failure', async () => {
    let received = 0;
    server = createServer((req) => {
      received++;
      req.resume();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const run = await runClosedLoop(
      {
        ...jsonRequest(`http://127.0.0.1:${port}/v1/models/m:predict`, {}),
        connections: CONNECTIONS,
        durationSeconds: DURATION_SECONDS,
      },
      TIMEOUT_SECONDS,
    );
    expect(run.requests).to.equal(0);
    expect(run.errors).to.be.greaterThan(CONNECTIONS);
    // Every failure is a request the server received and never answered.
    expect(run.errors).to.be.at.most(received);
  });
});
