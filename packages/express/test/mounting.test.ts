import { expect } from 'chai';
import express from 'express';
import express4 from 'express4';
import { inferenceTelemetry } from '../src/middleware.js';
import { captureRawBody } from '../src/payload/request-body.js';
import { RECORD_TYPE } from '../src/semconv.js';
import {
  IRIS_BODY,
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
    });
  }
});
