import { once } from 'node:events';
import type { ClientRequest, IncomingMessage, Server } from 'node:http';
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

  /**
   * A server whose predict handler answers after `answerAfterMs`, and gives
   * up on a socket quiet for {@link SOCKET_TIMEOUT_MS}; with `keepSockets`,
   * the application listens for the timeout, so Node.js leaves the socket open.
   */
  async function serve(answerAfterMs: number, keepSockets = false): Promise<{ server: Server; port: number }> {
    const app = kserveApp(inferenceTelemetry(globalOptions()), {
      predict: async (_req, res) => {
        await new Promise((resolve) => setTimeout(resolve, answerAfterMs));
        if (!res.destroyed) res.json({ predictions: [1, 1] });
      },
    });
    const server = createServer(app);
    server.setTimeout(SOCKET_TIMEOUT_MS);
    if (keepSockets) server.on('timeout', () => {});
    const { port } = new URL(await servers.start(server));
    return { server, port: Number(port) };
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
    const { port } = await serve(4 * SOCKET_TIMEOUT_MS);
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

  it('still records a client that leaves before the timeout as `aborted`', async () => {
    const { port } = await serve(4 * SOCKET_TIMEOUT_MS);
    const call = predict(port);
    call.on('error', () => {});
    setTimeout(() => call.destroy(), SOCKET_TIMEOUT_MS / 4);

    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.attributes).to.include({
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 499,
      [ATTR_ERROR_TYPE]: ERROR_TYPE_ABORTED,
    });
  });

  it('records a client leaving as `aborted` on a kept-alive socket whose timeout ran out during an earlier call', async () => {
    // The first call outlasts the timeout, which the application handles by keeping the socket: it is answered.
    const { port } = await serve(2 * SOCKET_TIMEOUT_MS, true);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = predict(port, agent);
      const [answer] = (await once(first, 'response')) as [IncomingMessage];
      answer.resume();
      await once(answer, 'end');
      const second = predict(port, agent);
      second.on('error', () => {});
      setTimeout(() => second.destroy(), SOCKET_TIMEOUT_MS / 4);

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
