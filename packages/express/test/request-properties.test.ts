/**
 * Under `app.listen`, Express changes the prototype of each request and
 * response, and every property added to one afterwards makes V8 build a new
 * map for it (see `openCallContext`): the middleware keeps what it knows
 * about a call on the connection's socket, never on the request or the
 * response, whatever the application says about the call.
 */
import type { Request, RequestHandler, Response } from 'express';
import { expect } from 'chai';
import { annotateCall } from '../src/annotations.js';
import { inferenceTelemetry } from '../src/middleware.js';
import { monitor } from '../src/monitor.js';
import { RECORD_TYPE } from '../src/semconv.js';
import type { PredictHandler } from './in-memory-telemetry.js';
import { IRIS_BODY, globalOptions, kserveApp, post, useInMemoryTelemetry, useServers } from './in-memory-telemetry.js';

/** The own property keys of a request and its response, strings and symbols alike, sorted. */
interface OwnKeys {
  readonly req: string[];
  readonly res: string[];
}

function ownKeysOf(req: Request, res: Response): OwnKeys {
  const names = (target: object) => Reflect.ownKeys(target).map(String).sort();
  return { req: names(req), res: names(res) };
}

describe('the request and response of a recorded call', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  /**
   * The own keys of the request and response of one call to an app mounting
   * `middleware`, read after the call's records were made, when `recorded`.
   */
  async function keysAfterCall(
    middleware: RequestHandler,
    predict: PredictHandler,
    recorded: boolean,
  ): Promise<OwnKeys> {
    let call: [Request, Response] | undefined;
    const app = kserveApp(middleware, {
      predict: (req, res, model, verb) => {
        call = [req, res];
        return predict(req, res, model, verb);
      },
    });
    const url = await servers.start(app);
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    if (recorded) await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(call, 'the call reached the handler').to.not.equal(undefined);
    return ownKeysOf(...call!);
  }

  const handlers: Record<string, PredictHandler> = {
    'answered, with a monitor row and annotations': (req, res) => {
      monitor(req, 'iris').log(1, { name: 'label', role: 'prediction', dataType: 'categorical' });
      annotateCall(res, { modelVersion: '2', batchSize: 2 });
      res.json({ predictions: [1, 1] });
    },
    'failed with an error the error middleware records': () => {
      throw Object.assign(new Error('no such tensor'), { status: 400 });
    },
  };

  for (const [name, predict] of Object.entries(handlers)) {
    it(`carry no property a call without the middleware lacks: ${name}`, async () => {
      const without = await keysAfterCall((_req, _res, next) => next(), predict, false);
      const recordedKeys = await keysAfterCall(inferenceTelemetry(globalOptions()), predict, true);
      expect(recordedKeys).to.deep.equal(without);
    });
  }
});
