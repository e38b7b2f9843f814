/** `InferenceServer.close()`: calls in flight on keep-alive connections, and what the shutdown timeout cuts off. */
import type { ClientRequest } from 'node:http';
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SpanStatusCode } from '@opentelemetry/api';
import { expect } from 'chai';
import { ERROR_TYPE_ABORTED, ERROR_TYPE_SERVER_SHUTDOWN } from '@inferlens/express';
import { DEMO_EMBEDDING } from '../../../test/support/embeddings.js';
import { DEMO_REPOSITORY, serveRepository } from '../../../test/support/server.js';
import { useOtlpReceiver } from '../../../test/support/use-otlp-receiver.js';
import { startServer } from '../src/index.js';

/** What a call the shutdown cut off is recorded as failing with. */
const CUT_OFF_MESSAGE = 'the server closed the connection before the answer was complete: its shutdown timeout ran out';

/** Batches wait a minute: what reaches the receiver was sent by the shutdown flush. */
const LONG_DELAY = { scheduledDelayMillis: 60_000 };

/**
 * A V1 predict whose body never finishes: it is in flight until the server
 * cuts it off. `started` resolves once the server has read its headers (it
 * answered 100 Continue) and part of the body is sent.
 */
function neverFinishedPredict(url: string, requestId: string): { started: Promise<void>; req: ClientRequest } {
  const req = request(`${url}/v1/models/iris:predict`, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      'content-length': 1000,
      'x-request-id': requestId,
      expect: '100-continue',
    },
  });
  req.on('error', () => undefined);
  const started = new Promise<void>((resolve) =>
    req.once('continue', () => req.write('{"instances": [', () => resolve())),
  );
  req.flushHeaders();
  return { started, req };
}

/** A keep-alive predict held open: headers sent with `Expect: 100-continue`, the body on `finish()`. */
function heldKeepAlivePredict(url: string, agent: Agent) {
  const body = '{"instances": [[6.8, 2.8, 4.8, 1.4]]}';
  const req = request(`${url}/v1/models/iris:predict`, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json', 'content-length': body.length, expect: '100-continue' },
  });
  const started = new Promise<void>((resolve) => req.once('continue', resolve));
  const answer = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode!, connection: res.headers.connection });
    });
  });
  req.flushHeaders();
  return { started, answer, finish: () => req.end(body) };
}

/**
 * A repository whose one model takes as long to load as the test wants: its
 * config.json is a named pipe, whose read waits until `finishLoad` writes it.
 */
async function slowLoadingRepository(): Promise<{ path: string; finishLoad(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'inferlens-slow-load-'));
  await mkdir(join(path, 'iris/1'), { recursive: true });
  await copyFile(join(DEMO_REPOSITORY, 'iris/1/model.onnx'), join(path, 'iris/1/model.onnx'));
  await promisify(execFile)('mkfifo', [join(path, 'iris/config.json')]);
  const finishLoad = async (): Promise<void> => {
    // Without waiting: with no reader (the load has read it), opening the pipe fails rather than blocking.
    const pipe = await open(join(path, 'iris/config.json'), constants.O_WRONLY | constants.O_NONBLOCK);
    await pipe.writeFile('{}');
    await pipe.close();
  };
  return { path, finishLoad };
}

/** How long a test waits for a load to open its named pipe. */
const PIPE_READER_WAIT_MS = 10_000;

/** A server of `path`'s models without telemetry, its shutdown bounded by `shutdownTimeoutMs`. */
function serveLoading(path: string, shutdownTimeoutMs: number): ReturnType<typeof startServer> {
  return startServer({ modelRepository: path, port: 0, host: '127.0.0.1', telemetry: false, shutdownTimeoutMs });
}

/**
 * A repository whose one text model has its session created, then waits in
 * its tokenizer's read, past every check of the load's own, until
 * `finishLoad` writes the tokenizer: its tokenizer.json is a named pipe.
 * `reading` resolves once the load has opened the pipe.
 */
async function tokenizerWaitingRepository(): Promise<{
  path: string;
  reading: Promise<void>;
  finishLoad(): Promise<void>;
}> {
  const path = await mkdtemp(join(tmpdir(), 'inferlens-slow-tokenizer-'));
  const source = join(DEMO_REPOSITORY, DEMO_EMBEDDING);
  const target = join(path, DEMO_EMBEDDING);
  await mkdir(join(target, '1'), { recursive: true });
  await copyFile(join(source, 'config.json'), join(target, 'config.json'));
  await copyFile(join(source, '1/model.onnx'), join(target, '1/model.onnx'));
  const tokenizer = join(target, '1/tokenizer.json');
  await promisify(execFile)('mkfifo', [tokenizer]);
  // Opening a pipe to write without waiting fails (ENXIO) until a reader has it open: the load is then reading it.
  const writer = (async () => {
    for (const giveUpAt = Date.now() + PIPE_READER_WAIT_MS; Date.now() < giveUpAt;) {
      try {
        return await open(tokenizer, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    throw new Error(`the load did not open the tokenizer within ${PIPE_READER_WAIT_MS} ms`);
  })();
  const finishLoad = async (): Promise<void> => {
    const pipe = await writer;
    await pipe.writeFile(await readFile(join(source, '1/tokenizer.json')));
    await pipe.close();
  };
  return { path, reading: writer.then(() => undefined), finishLoad };
}

describe('InferenceServer.close()', () => {
  it('resolves within the shutdown timeout while a model is still loading, which then opens no session', async () => {
    const repository = await slowLoadingRepository();
    try {
      const server = await serveLoading(repository.path, 300);
      const started = Date.now();
      const closed = await Promise.race([
        server.close().then(() => 'closed'),
        new Promise((resolve) => setTimeout(() => resolve('still waiting for the load'), 5000)),
      ]);
      expect(closed).to.equal('closed');
      expect(Date.now() - started).to.be.below(2000);
      await repository.finishLoad();
      await server.loaded;
      expect(server.repository.find('iris').state).to.equal('unloaded');
      expect(server.repository.find('iris').model).to.equal(undefined);
    } finally {
      await repository.finishLoad().catch(() => undefined);
      await rm(repository.path, { recursive: true, force: true });
    }
  });

  it('releases the session of a version whose load it stopped waiting for, once that load is done', async () => {
    const repository = await tokenizerWaitingRepository();
    try {
      const server = await serveLoading(repository.path, 100);
      // The session exists; the load waits for the tokenizer, beyond the check that stops a closed repository's loads.
      await repository.reading;
      await server.close();
      await repository.finishLoad();
      await server.loaded;
      const version = server.repository.find(DEMO_EMBEDDING);
      expect({ state: version.state, released: version.model === undefined }).to.deep.equal({
        state: 'unloaded',
        released: true,
      });
    } finally {
      await repository.finishLoad().catch(() => undefined);
      await rm(repository.path, { recursive: true, force: true });
    }
  });

  it('answers a call in flight on a keep-alive connection with Connection: close, so that the client sends no more on it', async () => {
    const server = await serveRepository(DEMO_REPOSITORY);
    const agent = new Agent({ keepAlive: true });
    try {
      const held = heldKeepAlivePredict(server.url, agent);
      await held.started;
      const closed = server.close();
      held.finish();
      // Kept alive, the connection would be closed under the client's next request, which then fails with a reset.
      expect(await held.answer).to.deep.equal({ status: 200, connection: 'close' });
      await closed;
    } finally {
      agent.destroy();
    }
  });
  it('answers with Connection: close a request whose headers were still arriving when the shutdown began, even at once', async () => {
    const server = await serveRepository(DEMO_REPOSITORY);
    const agent = new Agent({ keepAlive: true });
    const { hostname, port } = new URL(server.url);
    const late = connect(Number(port), hostname);
    const connected = once(late, 'connect');
    try {
      // A call in flight, which the shutdown waits for while the other request's headers arrive.
      const held = heldKeepAlivePredict(server.url, agent);
      await held.started;
      // Part of a request: its connection is not idle, so closing the server leaves it open.
      await connected;
      await new Promise((resolve) => late.write('GET /v2/health/live HTTP/1.1\r\n', resolve));
      // Time for the server, in this process, to read it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const closed = server.close();
      // The rest of it: a health check, which the app answers as soon as it has the request.
      late.write('host: localhost\r\n\r\n');
      const [head] = (await once(late, 'data')) as [Buffer];
      held.finish();
      await held.answer;
      await closed;
      expect(head.toString('latin1').toLowerCase()).to.match(/^http\/1\.1 200 [^]*\r\nconnection: close\r\n/);
    } finally {
      late.destroy();
      agent.destroy();
    }
  });
});

describe('InferenceServer.close() past its timeout', () => {
  const receiver = useOtlpReceiver({ per: 'test' });
  /** A server that exports only at its shutdown's flush, and cuts off what is still in flight 200 ms into it. */
  const serveCuttingOff = () =>
    serveRepository(DEMO_REPOSITORY, {
      shutdownTimeoutMs: 200,
      telemetry: {
        otlp: { endpoint: receiver().url, compression: 'none' },
        fileSink: { enabled: false },
        queue: LONG_DELAY,
      },
    });
  /** The spans of the calls sent with `requestId`. */
  const spansOf = (requestId: string) =>
    receiver()
      .spans()
      .filter((span) => span.attributes['inference.request.id'] === requestId);

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
    const server = await serveCuttingOff();
    const { started, req } = neverFinishedPredict(server.url, 'cut-off');
    await started;
    try {
      await server.close();
    } finally {
      req.destroy();
    }
    const spans = spansOf('cut-off');
    expect(spans, receiver().describe()).to.have.lengthOf(1);
    // The server's doing, not the client's: the status a call refused while shutting down gets, and why it ended.
    expect(spans[0].attributes).to.include({
      'http.response.status_code': 503,
      'error.type': ERROR_TYPE_SERVER_SHUTDOWN,
    });
    expect(spans[0].status).to.deep.equal({ code: SpanStatusCode.ERROR, message: CUT_OFF_MESSAGE });
    const [response] = receiver()
      .logRecords()
      .filter((record) => record.attributes['inference.request.id'] === 'cut-off')
      .filter((record) => record.attributes['inference.record.type'] === 'response');
    expect(response?.attributes, receiver().describe()).to.include({
      'http.response.status_code': 503,
      'error.type': ERROR_TYPE_SERVER_SHUTDOWN,
      'exception.message': CUT_OFF_MESSAGE,
    });
  });

  it('still records a client that left mid-body before the shutdown as 499 aborted', async () => {
    const server = await serveCuttingOff();
    const { started, req } = neverFinishedPredict(server.url, 'left');
    await started;
    req.destroy();
    // Time for the server, in this process, to see the connection gone: the call has ended before the shutdown.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    const spans = spansOf('left');
    expect(spans, receiver().describe()).to.have.lengthOf(1);
    expect(spans[0].attributes).to.include({ 'http.response.status_code': 499, 'error.type': ERROR_TYPE_ABORTED });
  });
});
