import { once } from 'node:events';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { Agent, createServer, request } from 'node:http';
import { SpanStatusCode } from '@opentelemetry/api';
import { expect } from 'chai';
import { inferenceTelemetry } from '../src/middleware.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ERROR_TYPE_ABORTED,
  ERROR_TYPE_TIMEOUT,
  RECORD_TYPE,
} from '../src/semconv.js';
import { IRIS_BODY, globalOptions, kserveApp, useInMemoryTelemetry, useServers } from './in-memory-telemetry.js';

/** The server's socket timeout: short, to keep the test quick. */
const SOCKET_TIMEOUT_MS = 100;
const TIMED_OUT_MESSAGE = "the server's socket timeout ran out before the answer was complete";

describe("a call that outlasts the server's socket timeout", () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  /** How a test's server treats its sockets and answers predict calls. */
  interface ServerSetup {
    /** The server's socket timeout. @default SOCKET_TIMEOUT_MS */
    readonly socketTimeoutMs?: number;
    /** The application's listener for the timeout: with one, Node.js leaves the socket open. */
    readonly onTimeout?: () => void;
    /** Told each time the predict handler starts. */
    readonly onCall?: () => void;
  }

  /** A server whose predict handler answers after `answerAfterMs`, giving up on a socket quiet for its timeout. */
  async function serve(answerAfterMs: number, setup: ServerSetup = {}): Promise<number> {
    const app = kserveApp(inferenceTelemetry(globalOptions()), {
      predict: async (_req, res) => {
        setup.onCall?.();
        await new Promise((resolve) => setTimeout(resolve, answerAfterMs));
        if (!res.destroyed) res.json({ predictions: [1, 1] });
      },
    });
    const server = createServer(app);
    server.setTimeout(setup.socketTimeoutMs ?? SOCKET_TIMEOUT_MS);
    if (setup.onTimeout !== undefined) server.on('timeout', setup.onTimeout);
    return Number(new URL(await servers.start(server)).port);
  }

  function predict(port: number, agent?: Agent): ClientRequest {
    const call = request({
      port,
      host: '127.0.0.1',
      method: 'POST',
      path: '/v1/models/iris:predict',
      headers: { 'content-type': 'application/json' },
      agent,
    });
    call.end(IRIS_BODY);
    return call;
  }

  it('records the server giving up, 503 `timeout`, not the client leaving', async () => {
    const port = await serve(4 * SOCKET_TIMEOUT_MS);
    const call = predict(port);
    const [error] = (await once(call, 'error')) as [Error];
    expect(error.message).to.equal('socket hang up');

    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.severityText).to.equal('ERROR');
    expect(response.attributes).to.include({
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 503,
      [ATTR_ERROR_TYPE]: ERROR_TYPE_TIMEOUT,
      [ATTR_EXCEPTION_MESSAGE]: TIMED_OUT_MESSAGE,
    });
    const [span] = await telemetry.waitForSpans();
    expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: TIMED_OUT_MESSAGE });
    expect(span.attributes).to.include({
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 503,
      [ATTR_ERROR_TYPE]: ERROR_TYPE_TIMEOUT,
    });
  });

  it('still records a client that leaves as `aborted` on a server whose socket timeout did not run out', async () => {
    let called!: () => void;
    const handled = new Promise<void>((resolve) => (called = resolve));
    const port = await serve(4 * SOCKET_TIMEOUT_MS, { socketTimeoutMs: 60_000, onCall: () => called() });
    const call = predict(port);
    call.on('error', () => {});
    await handled;
    call.destroy();

    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.attributes).to.include({
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 499,
      [ATTR_ERROR_TYPE]: ERROR_TYPE_ABORTED,
    });
  });

  it('records a client leaving as `aborted` on a kept-alive socket whose timeout ran out during an earlier call', async () => {
    // The first call outlasts the timeout, which the application handles by keeping the socket: it is answered.
    let calls = 0;
    let timeouts = 0;
    let secondCalled!: () => void;
    const secondHandled = new Promise<void>((resolve) => (secondCalled = resolve));
    const port = await serve(2 * SOCKET_TIMEOUT_MS, {
      onTimeout: () => timeouts++,
      onCall: () => {
        if (++calls === 2) secondCalled();
      },
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = predict(port, agent);
      const [answer] = (await once(first, 'response')) as [IncomingMessage];
      answer.resume();
      await once(answer, 'end');
      expect(timeouts).to.equal(1);
      const second = predict(port, agent);
      second.on('error', () => {});
      // As soon as the handler has it: well within the timeout, which the request's arrival restarted.
      await secondHandled;
      second.destroy();

      const records = await telemetry.waitForRecords(4);
      const statuses = records
        .filter((record) => record.attributes['inference.record.type'] === RECORD_TYPE.RESPONSE)
        .map((record) => [record.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE], record.attributes[ATTR_ERROR_TYPE]]);
      expect(second.reusedSocket).to.equal(true);
      expect(statuses).to.deep.equal([
        [200, undefined],
        [499, ERROR_TYPE_ABORTED],
      ]);
    } finally {
      agent.destroy();
    }
  });
});
