/** The middleware needs nothing of Express: called from a plain node:http handler, it records the call. */
import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Request, Response } from 'express';
import { inferenceTelemetry } from '../src/middleware.js';
import { ATTR_REQUEST_ID, ATTR_URL_PATH, ATTR_URL_SCHEME, RECORD_TYPE } from '../src/semconv.js';
import {
  IRIS_ANSWER,
  IRIS_BODY,
  globalOptions,
  post,
  useInMemoryTelemetry,
  useServers,
} from './in-memory-telemetry.js';

describe('on a plain node:http server', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  it('records the span and both records of a predict call', async () => {
    const middleware = inferenceTelemetry(globalOptions());
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      middleware(req as Request, res as Response, () => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          (req as Request).body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
          res.writeHead(200, { 'content-type': 'application/json' }).end(IRIS_ANSWER);
        });
      });
    };
    const url = await servers.start(createServer(handler));
    const answer = await post(`${url}/v1/models/iris:predict?trace=1`, IRIS_BODY, { 'x-request-id': 'plain-1' });
    expect(answer.status).to.equal(200);
    const [span] = await telemetry.waitForSpans(1);
    expect(span.name).to.equal('predict iris');
    expect(span.attributes[ATTR_URL_PATH]).to.equal('/v1/models/iris:predict');
    expect(span.attributes[ATTR_URL_SCHEME]).to.equal('http');
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.body).to.equal(IRIS_ANSWER);
    expect(response.attributes[ATTR_REQUEST_ID]).to.equal('plain-1');
  });

  it('records a call whose headers were sent before it reached the middleware, which cannot echo its id then', async () => {
    const middleware = inferenceTelemetry(globalOptions({ mode: 'response' }));
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      // As a server that streams its answer flushes the headers before the work starts.
      res.writeHead(200, { 'content-type': 'application/json' }).flushHeaders();
      middleware(req as Request, res as Response, () => void res.end(IRIS_ANSWER));
    };
    const url = await servers.start(createServer(handler));
    const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'plain-2' });
    expect([answer.status, answer.headers.get('x-request-id')]).to.deep.equal([200, null]);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.attributes[ATTR_REQUEST_ID]).to.equal('plain-2');
    expect(telemetry.spans()[0].attributes[ATTR_REQUEST_ID]).to.equal('plain-2');
  });
});
