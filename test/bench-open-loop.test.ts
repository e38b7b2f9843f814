import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { expect } from 'chai';
import { runOpenLoop } from '../bench/open-loop.js';

const RATE = 200;
const CONNECTIONS = 4;
/** The server holds every answer due between these times after the first request until the window closes. */
const STALL_FROM_MS = 100;
const STALL_UNTIL_MS = 300;
/** Requests the schedule sends during the stall: (300 − 100) ms at 200 per second. */
const SENT_DURING_STALL = ((STALL_UNTIL_MS - STALL_FROM_MS) * RATE) / 1000;

/** A server that answers at once, except that it stalls for a while, as a garbage-collection pause would. */
function stallingServer(): Promise<Server> {
  let first: number | undefined;
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => {
      const now = performance.now();
      first ??= now;
      const answer = (): void => void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      const stallEnd = first + STALL_UNTIL_MS;
      if (now >= first + STALL_FROM_MS && now < stallEnd) setTimeout(answer, stallEnd - now);
      else answer();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('bench open-loop load', () => {
  let server: Server;

  before(async () => {
    server = await stallingServer();
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('keeps to its schedule through a stall, so every request sent meanwhile shows it', async () => {
    const { port } = server.address() as AddressInfo;
    const run = await runOpenLoop(
      {
        url: `http://127.0.0.1:${port}/v1/models/m:predict`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        connections: CONNECTIONS,
        durationSeconds: 1,
      },
      RATE,
    );
    expect(run.requests).to.equal(RATE);
    expect(run.errors).to.equal(0);
    expect(run.latenciesMs).to.have.length(RATE);
    // A closed loop over 4 connections would have had only 4 requests out during the stall.
    const held = run.latenciesMs.filter((latency) => latency >= (STALL_UNTIL_MS - STALL_FROM_MS) / 4).length;
    expect(held).to.be.greaterThan(SENT_DURING_STALL / 2);
    // The schedule did not wait for the stall: 200 requests went out in about a second, not a second plus the stall.
    expect(run.seconds).to.be.below(1 + (STALL_UNTIL_MS - STALL_FROM_MS) / 1000 / 2);
  });
});
