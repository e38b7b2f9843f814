import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import { expect } from 'chai';
import { inferenceTelemetry } from '../src/middleware.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ERROR_TYPE_ABORTED,
  RECORD_TYPE,
} from '../src/semconv.js';
import { IRIS_BODY, globalOptions, kserveApp, useInMemoryTelemetry, useServers } from './in-memory-telemetry.js';

/** Short enough to keep the test quick; Node checks it every {@link CHECK_INTERVAL_MS}. */
const REQUEST_TIMEOUT_MS = 300;
const CHECK_INTERVAL_MS = 50;
const TIMED_OUT_MESSAGE = "the request did not arrive within the server's requestTimeout";

describe("a call whose body outlasts the server's requestTimeout", () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  /**
   * A predict call that has sent its headers and part of its body, on a
   * server that gives up on slow requests, once the middleware has met it.
   */
  async function callStillSending(): Promise<Socket> {
    let arrived!: () => void;
    const callArrived = new Promise<void>((resolve) => (arrived = resolve));
    const middleware = inferenceTelemetry(globalOptions());
    const app = kserveApp((req, res, next) => {
      middleware(req, res, next);
      arrived();
    });
    const server = createServer(
      {
        requestTimeout: REQUEST_TIMEOUT_MS,
        headersTimeout: REQUEST_TIMEOUT_MS,
        connectionsCheckingInterval: CHECK_INTERVAL_MS,
      },
      app,
    );
    const { port } = new URL(await servers.start(server));
    const client = connect(Number(port), '127.0.0.1');
    await once(client, 'connect');
    client.write(
      'POST /v1/models/iris:predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(IRIS_BODY)}\r\n\r\n${IRIS_BODY.slice(0, 10)}`,
    );
    await callArrived;
    return client;
  }

  /** Everything the server sent until it closed the connection. */
  async function answerOf(client: Socket): Promise<string> {
    const chunks: Buffer[] = [];
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    client.on('error', () => {});
    await once(client, 'close');
    return Buffer.concat(chunks).toString('latin1');
  }

  it("records the server's 408, not the client leaving", async () => {
    const client = await callStillSending();
    expect(await answerOf(client)).to.match(/^HTTP\/1\.1 408 /);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.attributes).to.include({
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 408,
      [ATTR_ERROR_TYPE]: '408',
      [ATTR_EXCEPTION_MESSAGE]: TIMED_OUT_MESSAGE,
    });
    const [span] = await telemetry.waitForSpans();
    expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: TIMED_OUT_MESSAGE });
    expect(span.attributes).to.include({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: 408, [ATTR_ERROR_TYPE]: '408' });
  });

  it('still records a client that left before the timeout as `aborted`', async () => {
    const client = await callStillSending();
    client.destroy();
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.attributes).to.include({
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 499,
      [ATTR_ERROR_TYPE]: ERROR_TYPE_ABORTED,
    });
    const [span] = await telemetry.waitForSpans();
    expect(span.attributes).to.include({
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 499,
      [ATTR_ERROR_TYPE]: ERROR_TYPE_ABORTED,
    });
  });
});
