/**
 * The default matcher recognises exactly the calls that Express (5, and 4)
 * routes to a predict handler, naming the model and version that handler is given.
 * Each target goes to an app whose handlers answer what they were given,
 * beside what the matcher made of the same request. A parameter that Express
 * cannot decode is left out: Express answers it 400, and the matcher records
 * it as a failed call (see recognition.test.ts).
 */
import { expect } from 'chai';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import express4 from 'express4';
import { defaultMatcher } from '../src/matcher.js';
import { postTarget } from '../../../test/support/http.js';
import { useServers } from './in-memory-telemetry.js';

/** What a handler was given, or what the matcher made of the request; null for neither. */
type Handling = { operation: string; model?: string; version?: string } | null;

/** The verbs KServe V1 puts after the model, which the default matcher knows. */
const V1_VERBS = new Set(['predict', 'explain']);

function answer(res: Response, handled: Handling): void {
  res.json({ matched: res.locals['matched'] as Handling, handled });
}

/** An app with the predict routes as an application writes them, and the matcher's view of each request. */
function routingApp(framework: typeof express): express.Express {
  const app = framework();
  app.use((req, res, next) => {
    const call = defaultMatcher(req);
    res.locals['matched'] =
      call === undefined ? null : { operation: call.operation, model: call.model, version: call.version };
    next();
  });
  app.post('/v1/models/:target', (req, res) => {
    const target = req.params['target'];
    const colon = target.lastIndexOf(':');
    const verb = target.slice(colon + 1).toLowerCase();
    answer(res, colon < 0 || !V1_VERBS.has(verb) ? null : { operation: verb, model: target.slice(0, colon) });
  });
  app.post('/v2/models/:model/infer', (req, res) => answer(res, { operation: 'infer', model: req.params['model'] }));
  app.post('/v2/models/:model/versions/:version/infer', (req, res) =>
    answer(res, { operation: 'infer', model: req.params['model'], version: req.params['version'] }),
  );
  app.post(['/v1/embeddings', '/openai/v1/embeddings'], (_req, res) => answer(res, { operation: 'embeddings' }));
  app.use((_req, res) => answer(res, null));
  app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => answer(res, null));
  return app;
}

/** Targets of every route, in the forms clients send: escapes, letter case, slashes, fragments, absolute form. */
const TARGETS = [
  '/v1/models/iris:predict',
  '/v1/models/iris%3Apredict',
  '/v1/models/iris%3apredict',
  '/v1/models/iris:%70redict',
  '/v1/models/Iris%3A%50REDICT/',
  '/v1/models/iris%3Apredict?a=%3A',
  '/v1/models/iris%3Aexplain',
  '/v1/models/team:iris:predict',
  '/v1/models/team%3Airis%3Apredict',
  '/v1/models/a:b%3Apredict',
  '/v1/models/iris:predict%3Aexplain',
  '/v1/models/:predict',
  '/v1/models/%3Apredict',
  '/v1/models/iris%2F:predict',
  '/v1/models/iris:predict%2F',
  '/v1/models/iris:predict%20',
  '/v1/models/iris:predict;x',
  '/v1/models/iris:predict//',
  '/v1/models/iris:predicts',
  '/v1/models/iris',
  '/v1/%6Dodels/iris:predict',
  '//v1/models/iris:predict',
  '/v1//models/iris:predict',
  '/v1/models/./iris:predict',
  '/v1/models/iris:predict#top',
  '/v1/models/iris%3Apredict#top',
  '/v1/models/iris#:predict',
  '/v1/models\\iris:predict#',
  '/v1/models\\iris:predict',
  '/v1/models/iris:predict?#',
  'http://localhost/v1/models/iris%3Apredict',
  'http://localhost/v1/models/iris:predict#top',
  'http://localhost?/v1/models/iris:predict',
  '//user@host/v1/models/iris%3Apredict#top',
  '//user@host/v1/models/iris%3Apredict',
  '/v2/models/iris/infer',
  '/V2/MODELS/Iris/INFER/',
  '/v2/models/%69ris/infer',
  '/v2/models/ir%2Fis/infer',
  '/v2/models/iris/%69nfer',
  '/v2/models/iris%2Finfer',
  '/v2/models/iris/infer%2F',
  '/v2/models/iris/infer%23',
  '/v2/models//iris/infer',
  '//v2/models/iris/infer',
  '/v2/models/iris/infer//',
  '/v2/models/iris/infer#top',
  '/v2/models/iris#/infer',
  '/v2/models\\iris\\infer#',
  '/v2/models\\iris\\infer',
  '/v2/models/iris/versions/1/infer',
  '/v2/models/iris/versions/%31/infer',
  '/v2/models/iris/versions/1%2F2/infer',
  '/v2/models/iris/%76ersions/1/infer',
  '/v2/models/iris/versions//infer',
  '/v2/models/iris/versions/infer',
  '/v2/models/iris/Versions/1/infer/#',
  '/v2/models\\iris\\versions\\1\\infer#',
  'http://localhost/v2/models/iris/versions/1/infer#top',
  '/openai/v1/embeddings',
  '/OpenAI/V1/Embeddings/',
  '/openai/v1/%65mbeddings',
  '/openai/v1/embeddings%2F',
  '//openai/v1/embeddings',
  '/openai/v1/embeddings#top',
  '/openai\\v1\\embeddings#',
  '/v1/embeddings',
  '/v1/embeddings/?x#y',
];

/** Express 4 routes the same way; its app is typed apart, and is the same at runtime. */
const FRAMEWORKS = [
  ['Express 5', express],
  ['Express 4', express4 as unknown as typeof express],
] as const;

describe('the default matcher beside Express routing', () => {
  const servers = useServers();

  for (const [name, framework] of FRAMEWORKS) {
    it(`recognises each target that ${name} routes to a predict handler, as that handler sees it, and no other`, async () => {
      const url = await servers.start(routingApp(framework));
      for (const target of TARGETS) {
        const { status, text } = await postTarget(url, target, '{}');
        expect(status, target).to.equal(200);
        const { matched, handled } = JSON.parse(text) as { matched: Handling; handled: Handling };
        expect(matched, target).to.deep.equal(handled);
      }
    });
  }
});
