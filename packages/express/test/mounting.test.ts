import { expect } from 'chai';
import express from 'express';
import express4 from 'express4';
import { inferenceTelemetry } from '../src/middleware.js';
import { captureRawBody } from '../src/payload/request-body.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_URL_PATH,
  ERROR_TYPE_TIMEOUT,
  RECORD_TYPE,
} from '../src/semconv.js';
import {
  IRIS_BODY,
  get,
  globalOptions,
  post,
  useInMemoryTelemetry,
  useRecordedWarnings,
  useServers,
} from './in-memory-telemetry.js';

/** Express 5 and Express 4, typed alike: the middleware is the same (req, res, next) on both. */
const EXPRESS = [
  ['Express 5', express],
  ['Express 4', express4 as unknown as typeof express],
] as const;

/** How long the server waits on a handler that never answers before it closes the connection. */
const IDLE_TIMEOUT_MS = 100;

describe('where the middleware is mounted', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();
  const warnings = useRecordedWarnings();

  for (const [name, framework] of EXPRESS) {
    describe(`on ${name}`, () => {
      it('warns once when mounted after a body parser, which hides the calls whose body it refuses', async () => {
        const app = framework();
        app.use(framework.json());
        app.use(inferenceTelemetry(globalOptions()));
        app.post('/v1/models/:target', (_req, res) => {
          res.json({ predictions: [1, 1] });
        });
        const url = await servers.start(app);
        await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
        await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
        // The calls whose body parsed are still recorded, from the parsed body serialised again.
        const requests = await telemetry.waitForRecords(2, RECORD_TYPE.REQUEST);
        for (const { body } of requests) expect(JSON.parse(body as string)).to.deep.equal(JSON.parse(IRIS_BODY));
        expect(warnings.messages.filter((message) => message.includes('before the body parsers'))).to.have.length(1);
      });

      it('does not warn when mounted before the body parser, and met again on a router after it', async () => {
        const middleware = inferenceTelemetry(globalOptions());
        const router = framework.Router();
        router.use(middleware);
        router.post('/v1/models/:target', (_req, res) => {
          res.json({ predictions: [1, 1] });
        });
        const app = framework();
        app.use(middleware);
        app.use(framework.json({ verify: captureRawBody }));
        app.use(router);
        const url = await servers.start(app);
        await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
        expect((await telemetry.waitForRecord(RECORD_TYPE.REQUEST)).body).to.equal(IRIS_BODY);
        expect(warnings.messages).to.deep.equal([]);
      });

      it('reads the path relative to its mount: under a prefix, the route is relative and url.path whole', async () => {
        const router = framework.Router();
        router.post('/v2/models/:model/versions/:version/infer', (_req, res) => {
          res.json({ outputs: [] });
        });
        router.get('/v2/models/:model', (_req, res) => {
          res.json({ name: 'iris' });
        });
        const app = framework();
        app.use('/api', inferenceTelemetry(globalOptions()));
        app.use('/api', framework.json({ verify: captureRawBody }), router);
        const url = await servers.start(app);
        expect((await get(`${url}/api/v2/models/iris`)).status).to.equal(200);
        expect((await post(`${url}/api/v2/models/iris/versions/2/infer?debug=1`, '{"inputs":[]}')).status).to.equal(
          200,
        );
        const spans = await telemetry.waitForSpans();
        expect(spans).to.have.lengthOf(1);
        expect(spans[0].attributes).to.include({
          [ATTR_HTTP_ROUTE]: '/v2/models/{model}/versions/{version}/infer',
          [ATTR_URL_PATH]: '/api/v2/models/iris/versions/2/infer',
          [ATTR_MODEL_NAME]: 'iris',
          [ATTR_MODEL_VERSION]: '2',
        });
      });

      it('matches the path an earlier middleware rewrote, and keeps the one the client asked for in url.path', async () => {
        const app = framework();
        app.use((req, _res, next) => {
          req.url = req.url.replace(/^\/gateway/, '');
          next();
        });
        app.use(inferenceTelemetry(globalOptions()));
        app.post('/v1/models/:target', (_req, res) => {
          res.json({ predictions: [1, 1] });
        });
        const url = await servers.start(app);
        await post(`${url}/gateway/v1/models/iris:predict`, IRIS_BODY);
        const [span] = await telemetry.waitForSpans();
        expect(span.attributes).to.include({
          [ATTR_HTTP_ROUTE]: '/v1/models/{model}:predict',
          [ATTR_URL_PATH]: '/gateway/v1/models/iris:predict',
        });
      });

      it("records a call Express refuses under 'case sensitive routing' as a failed call", async () => {
        const app = framework();
        app.set('case sensitive routing', true);
        app.use(inferenceTelemetry(globalOptions()));
        app.post('/v1/models/:target', (_req, res) => {
          res.json({ predictions: [1, 1] });
        });
        const url = await servers.start(app);
        expect((await post(`${url}/V1/models/iris:predict`, IRIS_BODY)).status).to.equal(404);
        const [span] = await telemetry.waitForSpans();
        expect(span.attributes).to.include({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: 404, [ATTR_ERROR_TYPE]: '404' });
      });

      it("records a call the server times out before it is answered as the server's timeout, once", async () => {
        const app = framework();
        app.use(inferenceTelemetry(globalOptions()));
        app.post('/v1/models/:target', (req) => {
          // Never answers: the server closes the idle connection.
          req.setTimeout(IDLE_TIMEOUT_MS);
        });
        const url = await servers.start(app);
        await post(`${url}/v1/models/iris:predict`, IRIS_BODY).catch(() => undefined);
        const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
        expect(response.attributes[ATTR_ERROR_TYPE]).to.equal(ERROR_TYPE_TIMEOUT);
        const spans = await telemetry.waitForSpans();
        expect(spans).to.have.lengthOf(1);
        expect(spans[0].attributes).to.include({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: 503 });
      });
    });
  }
});
