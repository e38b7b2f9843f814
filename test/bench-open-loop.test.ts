import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { expect } from 'chai';
import type { LoadSpec } from '../bench/load.js';
import { jsonRequest } from '../bench/load.js';
import { runOpenLoop } from '../bench/open-loop.js';

const RATE = 200;
const CONNECTIONS = 4;
/** The stalling server holds every answer due between these times after the first request until the window closes. */
const STALL_FROM_MS = 100;
const STALL_UNTIL_MS = 300;
/** Requests the schedule sends during the stall: (300 − 100) ms at 200 per second. */
const SENT_DURING_STALL = ((STALL_UNTIL_MS - STALL_FROM_MS) * RATE) / 1000;
const DRAIN_LIMIT_MS = 200;
/** How long the generator's own thread is held, from STALL_FROM_MS after the run starts. */
const GENERATOR_STALL_MS = 200;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A server on port 0 that reads each body, then hands the request to `handler`; counts what it received. */
async function serve(handler: Handler): Promise<{ server: Server; spec: LoadSpec; received: () => number }> {
  let received = 0;
  const server = createServer((req, res) => {
    received++;
    req.resume();
    req.once('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const spec: LoadSpec = {
    ...jsonRequest(`http://127.0.0.1:${port}/v1/models/m:predict`, {}),
    connections: CONNECTIONS,
    durationSeconds: 1,
  };
  return { server, spec, received: () => received };
}

function answer(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
}

/** Answers at once, except that it stalls for a while, as a garbage-collection pause would. */
function stalling(): Handler {
  let first: number | undefined;
  return (_req, res) => {
    const now = performance.now();
    first ??= now;
    const stallEnd = first + STALL_UNTIL_MS;
    if (now >= first + STALL_FROM_MS && now < stallEnd) setTimeout(() => answer(res), stallEnd - now);
    else answer(res);
  };
}

describe('bench open-loop load', () => {
  const servers: Server[] = [];
  const started = async (handler: Handler): ReturnType<typeof serve> => {
    const running = await serve(handler);
    servers.push(running.server);
    return running;
  };

  afterEach(() => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('keeps to its schedule through a stall, so every request sent meanwhile shows it', async () => {
    const { spec } = await started(stalling());
    const run = await runOpenLoop(spec, RATE);
    expect(run.requests).to.equal(RATE);
    expect(run.errors).to.equal(0);
    expect(run.latenciesMs).to.have.length(RATE);
    // A closed loop over 4 connections would have had only 4 requests out during the stall.
    const held = run.latenciesMs.filter((latency) => latency >= (STALL_UNTIL_MS - STALL_FROM_MS) / 4).length;
    expect(held).to.be.greaterThan(SENT_DURING_STALL / 2);
  });

  it('reports how late its requests left when it could not keep to its schedule', async () => {
    const { spec } = await started((_req, res) => answer(res));
    // The generator's own thread is held, as a pause of its own or a core taken from it would hold it.
    setTimeout(() => {
      const until = performance.now() + GENERATOR_STALL_MS;
      while (performance.now() < until);
    }, STALL_FROM_MS);
    const run = await runOpenLoop(spec, RATE);
    expect(run.sendLagsMs).to.have.length(RATE);
    const late = run.sendLagsMs!.filter((lag) => lag >= GENERATOR_STALL_MS / 2).length;
    // Those due in the stall's first half left at its end, at least half a stall late.
    expect(late).to.be.at.least((GENERATOR_STALL_MS / 2 / 1000) * RATE);
  });

  it('counts an answer cut off in its body as an error, without waiting for the drain limit', async () => {
    const { spec } = await started((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"predictions":');
      setTimeout(() => res.destroy(), 5);
    });
    const began = performance.now();
    const run = await runOpenLoop({ ...spec, durationSeconds: 0.1 }, RATE, 10_000);
    expect(run.errors).to.equal(RATE / 10);
    expect(run.requests).to.equal(0);
    expect(performance.now() - began).to.be.below(5_000);
  });

  it("sends the spec's request as written: method, path and query, headers and body", async () => {
    const seen: { method?: string; url?: string; type?: string; body: string }[] = [];
    const { server, spec } = await started((_req, res) => answer(res));
    server.prependListener('request', (req: IncomingMessage) => {
      const entry = { method: req.method, url: req.url, type: req.headers['content-type'], body: '' };
      seen.push(entry);
      req.setEncoding('utf8').on('data', (chunk: string) => (entry.body += chunk));
    });
    const url = `${spec.url}?verbose=1`;
    const run = await runOpenLoop({ ...spec, url, body: '{"instances":[[1,2]]}', durationSeconds: 0.05 }, RATE);
    expect(run.requests).to.equal(RATE / 20);
    expect(seen).to.have.length(RATE / 20);
    for (const entry of seen) {
      expect(entry).to.deep.equal({
        method: 'POST',
        url: '/v1/models/m:predict?verbose=1',
        type: 'application/json',
        body: '{"instances":[[1,2]]}',
      });
    }
  });

  it('counts answers outside 2xx apart, without their latencies, and reads chunked answers whole', async () => {
    let calls = 0;
    const { spec } = await started((_req, res) => {
      // Every other answer is a 503; each is sent in two chunks (no content-length, so chunked).
      res.writeHead(calls++ % 2 === 0 ? 503 : 200, { 'content-type': 'application/json' });
      res.write('{"error":');
      setTimeout(() => res.end('"x"}'), 1);
    });
    const run = await runOpenLoop({ ...spec, durationSeconds: 0.1 }, RATE);
    expect(run.requests).to.equal(RATE / 10);
    expect(run.errors).to.equal(0);
    expect(run.non2xx).to.equal(RATE / 20);
    expect(run.latenciesMs).to.have.length(RATE / 20);
  });

  it('opens a new connection when the server closes one after its answer, and loses no request', async () => {
    const { spec } = await started((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end('{}');
    });
    const run = await runOpenLoop({ ...spec, durationSeconds: 0.1 }, RATE);
    expect(run.requests).to.equal(RATE / 10);
    expect(run.errors).to.equal(0);
    expect(run.latenciesMs).to.have.length(RATE / 10);
  });

  it('counts every request as an error when no connection can be made, and ends with its schedule', async () => {
    const { server, spec } = await started((_req, res) => answer(res));
    await new Promise((resolve) => server.close(resolve));
    const run = await runOpenLoop({ ...spec, durationSeconds: 0.1 }, RATE, DRAIN_LIMIT_MS);
    expect(run.errors).to.equal(RATE / 10);
    expect(run.requests).to.equal(0);
  });

  it('abandons what is unanswered at the drain limit, and sends nothing after it', async () => {
    const { spec, received } = await started(() => {});
    const run = await runOpenLoop({ ...spec, durationSeconds: 0.1 }, RATE, DRAIN_LIMIT_MS);
    expect(run.errors).to.equal(RATE / 10);
    expect(run.requests).to.equal(0);
    const atEnd = received();
    expect(atEnd).to.be.at.most(CONNECTIONS);
    await new Promise((resolve) => setTimeout(resolve, 3 * DRAIN_LIMIT_MS));
    expect(received(), 'requests the server saw after the run ended').to.equal(atEnd);
  });
});
