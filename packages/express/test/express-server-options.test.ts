import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, IncomingMessage as NodeIncomingMessage, ServerResponse as NodeServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { expect } from 'chai';
import type { Express } from 'express';
import express4 from 'express4';
import { makeTestCertificates } from '../../../test/support/tls.js';
import { expressServerOptions } from '../src/express-server-options.js';
import { inferenceTelemetry } from '../src/middleware.js';
import { ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_REQUEST_ID, RECORD_TYPE } from '../src/semconv.js';
import {
  IRIS_ANSWER,
  IRIS_BODY,
  globalOptions,
  kserveApp,
  post,
  useInMemoryTelemetry,
  useServers,
} from './in-memory-telemetry.js';

const execFileAsync = promisify(execFile);
const SHARED_MAPS = fileURLToPath(new URL('./support/shared-maps.ts', import.meta.url));

/** An app served by `createServer(expressServerOptions(app), app)`, as `useServers` starts it. */
function servedWithOptions(app: Express | express4.Express): { listen(port: number, host: string): Server } {
  return { listen: (port, host) => createServer(expressServerOptions(app), app).listen(port, host) };
}

/** Whether each request and response reached the server's first listener with the app's prototypes. */
function prototypesOnArrival(app: Express | express4.Express, server: Server): boolean[] {
  const seen: boolean[] = [];
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    seen.push(Object.getPrototypeOf(req) === app.request, Object.getPrototypeOf(res) === app.response);
  });
  return seen;
}

/** Posts a JSON `body` over HTTPS, trusting `ca`; resolves with the status and the answer's text. */
function postTrusting(ca: string, url: string, body: string): Promise<{ status: number | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const client = httpsRequest(url, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    client.on('error', reject).end(body);
  });
}

/** What shared-maps.ts prints for `framework`. */
async function sharedMaps(framework: 'express' | 'express4'): Promise<unknown> {
  const { stdout } = await execFileAsync(process.execPath, [
    '--allow-natives-syntax',
    '--import',
    'tsx',
    SHARED_MAPS,
    framework,
  ]);
  return JSON.parse(stdout);
}

describe('expressServerOptions', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  for (const [framework, makeApp] of [
    ['Express 5', () => kserveApp(inferenceTelemetry(globalOptions()))],
    ['Express 4', () => express4()],
  ] as const) {
    it(`makes each request and response with the app's prototypes before ${framework} sees them`, async () => {
      const app = makeApp();
      const seen = { options: [] as boolean[], listen: [] as boolean[] };
      const urls = [
        await servers.start({
          listen(port, host) {
            const server = servedWithOptions(app).listen(port, host);
            seen.options = prototypesOnArrival(app, server);
            return server;
          },
        }),
        await servers.start({
          listen(port, host) {
            const server = app.listen(port, host);
            seen.listen = prototypesOnArrival(app, server);
            return server;
          },
        }),
      ];
      const [withOptions, listening] = await Promise.all(
        urls.map((url) => post(`${url}/v1/models/iris:predict`, IRIS_BODY)),
      );
      expect(withOptions.status).to.equal(listening.status);
      expect(seen).to.deep.equal({ options: [true, true], listen: [false, false] });
    });
  }

  it('makes them so for an https.createServer server too, which takes the same options', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inferlens-https-'));
    try {
      const { ca, server: pair } = await makeTestCertificates(dir);
      const app = kserveApp(inferenceTelemetry(globalOptions()));
      let seen: boolean[] = [];
      const url = await servers.start({
        listen(port, host) {
          const server = createHttpsServer({ ...expressServerOptions(app), key: pair.key, cert: pair.cert }, app);
          seen = prototypesOnArrival(app, server);
          return server.listen(port, host);
        },
      });
      const answer = await postTrusting(
        ca.cert,
        `${url.replace(/^http:/, 'https:')}/v1/models/iris:predict`,
        IRIS_BODY,
      );
      expect(answer).to.deep.equal({ status: 200, text: IRIS_ANSWER });
      expect(seen).to.deep.equal([true, true]);
      expect((await telemetry.waitForRecord(RECORD_TYPE.RESPONSE)).body).to.equal(IRIS_ANSWER);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keeps requests and responses instances of Node.js classes, and what the app's prototypes hold", async () => {
    const app = kserveApp(inferenceTelemetry(globalOptions()));
    Object.assign(app.request, { tenant: 'before' });
    const { IncomingMessage: Request, ServerResponse: Response } = expressServerOptions(app);
    Object.assign(app.response, { region: 'after' });
    const seen: unknown[] = [];
    app.get('/whoami', (req, res) => {
      seen.push(req instanceof NodeIncomingMessage, res instanceof NodeServerResponse);
      res.json({
        tenant: (req as unknown as { tenant: string }).tenant,
        region: (res as unknown as { region: string }).region,
      });
    });
    const url = await servers.start(servedWithOptions(app));
    expect(await (await fetch(`${url}/whoami`)).json()).to.deep.equal({ tenant: 'before', region: 'after' });
    expect(seen).to.deep.equal([true, true]);
    expect([Request.prototype, Response.prototype]).to.deep.equal([app.request, app.response]);
  });

  it('gives a second server of the same app the same classes', () => {
    const app = kserveApp(inferenceTelemetry(globalOptions()));
    const first = expressServerOptions(app);
    expect(expressServerOptions(app)).to.equal(first);
  });

  it('answers and records a predict call as app.listen does', async () => {
    const url = await servers.start(servedWithOptions(kserveApp(inferenceTelemetry(globalOptions()))));
    const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'served-1' });
    expect(answer).to.include({ status: 200, text: IRIS_ANSWER });
    expect(answer.headers.get('x-request-id')).to.equal('served-1');
    const [span] = await telemetry.waitForSpans();
    expect(span.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE]).to.equal(200);
    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect([request.body, response.body]).to.deep.equal([IRIS_BODY, IRIS_ANSWER]);
    expect(response.attributes[ATTR_REQUEST_ID]).to.equal('served-1');
  });

  it('answers and records a failed call as app.listen does', async () => {
    const app = kserveApp(inferenceTelemetry(globalOptions()), {
      predict: () => {
        throw Object.assign(new Error('weights missing'), { status: 503 });
      },
    });
    const url = await servers.start(servedWithOptions(app));
    const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    expect(answer).to.include({ status: 503, text: '{"error":"weights missing"}' });
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.severityNumber).to.equal(SeverityNumber.ERROR);
    expect(telemetry.spans()[0].status.code).to.equal(SpanStatusCode.ERROR);
  });

  for (const framework of ['express', 'express4'] as const) {
    it(`lets the requests and the responses of ${framework} share their maps once it and the middleware have added their properties`, async () => {
      expect(await sharedMaps(framework)).to.deep.equal({ requests: true, responses: true });
    });
  }
});
