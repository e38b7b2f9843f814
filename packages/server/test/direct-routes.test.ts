/** Which requests the server answers on its direct path, and with what. */
import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { InferenceTelemetry, PredictCall } from '@inferlens/express';
import { defaultMatcher } from '@inferlens/express';
import { directRoutes } from '../src/http/direct-routes.js';
import type { InferenceHandler, ModelTarget } from '../src/protocols/handlers.js';

function request(method: string, url: string): IncomingMessage {
  return { method, url, headers: {} } as IncomingMessage;
}

const response = {} as ServerResponse;

describe('direct routes', () => {
  let calls: { handler: string; target: ModelTarget }[];
  const recording =
    (handler: string): InferenceHandler =>
    (_req, _res, target) => {
      calls.push({ handler, target });
      return Promise.resolve();
    };
  const route = directRoutes({
    predict: recording('predict'),
    infer: recording('infer'),
    embeddings: recording('embeddings'),
  });

  beforeEach(() => {
    calls = [];
  });

  it('answers V1 predict, with the model decoded from the path and the query ignored', () => {
    expect(route(request('POST', '/v1/models/my%20model:predict?x=1&y=%E0'), response)).to.equal(true);
    expect(calls).to.deep.equal([{ handler: 'predict', target: { model: 'my model', version: undefined } }]);
  });

  it('answers the forms of a path that Express routes to the same handlers, with the names their handlers see', () => {
    for (const url of [
      '/v1/models/iris%3Apredict',
      '/v1/models/iris:%70REDICT#%E0',
      '/v1/models\\iris:predict#',
      '/v2/models\\iris\\versions\\2\\infer#top',
    ]) {
      expect(route(request('POST', url), response), url).to.equal(true);
    }
    expect(calls).to.deep.equal([
      { handler: 'predict', target: { model: 'iris', version: undefined } },
      { handler: 'predict', target: { model: 'iris', version: undefined } },
      { handler: 'predict', target: { model: 'iris', version: undefined } },
      { handler: 'infer', target: { model: 'iris', version: '2' } },
    ]);
  });

  it('answers V2 infer with and without a version', () => {
    expect(route(request('POST', '/v2/models/iris/infer'), response)).to.equal(true);
    expect(route(request('POST', '/v2/models/iris/versions/3/infer'), response)).to.equal(true);
    expect(calls).to.deep.equal([
      { handler: 'infer', target: { model: 'iris', version: undefined } },
      { handler: 'infer', target: { model: 'iris', version: '3' } },
    ]);
  });

  it("answers OpenAI embeddings under /openai, leaving the model to the body's reader", () => {
    expect(route(request('POST', '/openai/v1/embeddings'), response)).to.equal(true);
    expect(calls).to.deep.equal([{ handler: 'embeddings', target: { model: '', version: undefined } }]);
  });

  it('leaves every other request to the Express app', () => {
    for (const [method, url] of [
      ['GET', '/v2/models/iris'],
      ['GET', '/v1/models/iris:predict'],
      ['POST', '/v1/models/iris:explain'],
      ['POST', '/v1/models/iris%3Aexplain'],
      ['POST', '/v2/models/iris#/infer'],
      ['POST', '/v1/models/irisXYZ'],
      ['POST', '/v1/embeddings'],
      ['GET', '/openai/v1/embeddings'],
      ['GET', '/openai/v1/models'],
      ['POST', '/v2/models/iris/ready'],
      // Not UTF-8 once decoded: the app answers 400, as Express does for any route parameter.
      ['POST', '/v2/models/ir%E0%A4%Ais/infer'],
      ['POST', '/v1/models/ir%E0%A4%Ais:predict'],
    ] as const) {
      expect(route(request(method, url), response), `${method} ${url}`).to.equal(false);
    }
    expect(calls).to.deep.equal([]);
  });

  function telemetryWith(matcher: InferenceTelemetry['matcher'], middleware: RequestHandler, order: string[]) {
    return Object.assign(middleware, {
      matcher,
      recordCall: (_req: Request, _res: Response, call: PredictCall) => void order.push(`record ${call.model}`),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    }) as InferenceTelemetry;
  }

  function routesWith(telemetry: InferenceTelemetry, order: string[]) {
    return directRoutes({
      predict: () => {
        order.push('predict');
        return Promise.resolve();
      },
      infer: recording('infer'),
      embeddings: recording('embeddings'),
      telemetry,
    });
  }

  it('has telemetry on the default matcher record each call as matched here, before its handler runs', () => {
    const order: string[] = [];
    const middleware: RequestHandler = () => {
      throw new Error('the direct path does not run the middleware when it matches as the telemetry does');
    };
    const route = routesWith(telemetryWith(defaultMatcher, middleware, order), order);
    route(request('POST', '/v1/models/iris:predict'), response);
    expect(order).to.deep.equal(['record iris', 'predict']);
  });

  it('leaves every call to the Express app when the telemetry has a custom matcher, which is written for its request', () => {
    const order: string[] = [];
    const middleware: RequestHandler = () => {
      throw new Error('the direct path does not run the middleware: the app does');
    };
    const matcher = (): undefined => {
      throw new Error('the direct path must not call a custom matcher itself');
    };
    const route = routesWith(telemetryWith(matcher, middleware, order), order);
    expect(route(request('POST', '/v1/models/iris:predict'), response)).to.equal(false);
    expect(route(request('POST', '/v2/models/iris/infer'), response)).to.equal(false);
    expect(order).to.deep.equal([]);
    expect(calls).to.deep.equal([]);
  });
});
