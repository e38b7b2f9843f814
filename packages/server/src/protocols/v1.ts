import type { NextFunction, Request, Response } from 'express';
import { Router } from 'express';
import type { ModelList, ModelStatus, ServerStatus } from '@inferlens/protocol';
import { InferenceError } from '@inferlens/protocol';
import { methodNotAllowed, POST_METHOD, READ_METHODS } from '../http/errors.js';
import { routeParam } from '../http/params.js';
import { sendJson } from '../http/respond.js';
import type { Logger } from '../logger.js';
import type { ModelRepository } from '../repository/model-repository.js';
import { notReadyMessage } from '../repository/model-repository.js';
import { predictHandler } from './handlers.js';

interface V1RouterOptions {
  readonly repository: ModelRepository;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

/** The verbs V1 puts after the model name; this server answers `predict`. */
const PREDICT_VERB = 'predict';
/** KServe's verb for explanations, which need an explainer beside the model: this server runs none. */
const EXPLAIN_VERB = 'explain';

/** Whether `verb` names one of V1's calls, which are POSTed. */
function isCallVerb(verb: string | undefined): boolean {
  return verb === PREDICT_VERB || verb === EXPLAIN_VERB;
}

/**
 * Splits `iris:predict` into model and verb. Express 5 reads a second colon
 * in a route as another parameter, so the model segment is matched whole
 * and split here. The verb is read in any letter case, as Express matches
 * the rest of the route, and as the server's direct path routes it.
 */
function modelAndVerb(target: string): { model: string; verb: string | undefined } {
  const colon = target.lastIndexOf(':');
  return colon < 0
    ? { model: target, verb: undefined }
    : { model: target.slice(0, colon), verb: target.slice(colon + 1).toLowerCase() };
}

/**
 * KServe V1: liveness, list models, model status, and `:predict` on the
 * model's highest ready version. `:explain` is answered as KServe's model
 * server answers it for a model without an explainer: 501 (404 for a model
 * it does not have).
 */
export function v1Router({ repository, maxBodyBytes, logger }: V1RouterOptions): Router {
  const router = Router();

  // KServe's model server answers liveness at the root, and its SDK's V1 `is_server_live` asks there.
  router.get('/', (_req, res) => {
    const body: ServerStatus = { status: 'alive' };
    sendJson(res, 200, body);
  });

  router.get('/v1/models', (_req, res) => {
    const body: ModelList = { models: repository.modelNames() };
    sendJson(res, 200, body);
  });

  router.get('/v1/models/:model', (req, res, next) => {
    const name = routeParam(req, 'model')!;
    // `iris:predict` names a call, not a model: read with GET, it is the 405 below, not a model not found.
    if (isCallVerb(modelAndVerb(name).verb)) {
      next();
      return;
    }
    const found = repository.find(name);
    if (found.state !== 'ready') throw new InferenceError('MODEL_NOT_READY', notReadyMessage(found));
    const body: ModelStatus = { name: found.modelName, ready: true };
    sendJson(res, 200, body);
  });

  // The verb is checked before the body is read, so a wrong path is a 404 whatever the body.
  const checkVerb = (req: Request, _res: Response, next: NextFunction): void => {
    const { model, verb } = modelAndVerb(routeParam(req, 'target')!);
    if (verb === PREDICT_VERB) {
      next();
      return;
    }
    if (verb === EXPLAIN_VERB) {
      const { modelName } = repository.find(model);
      throw new InferenceError(
        'NOT_IMPLEMENTED',
        `model '${modelName}' has no explainer to answer POST ${req.path}; this server answers :${PREDICT_VERB}`,
      );
    }
    throw new InferenceError(
      'ROUTE_NOT_FOUND',
      `no endpoint answers POST ${req.path}; predict with POST /v1/models/<model>:${PREDICT_VERB}`,
    );
  };

  const predict = predictHandler({ repository, maxBodyBytes, logger });
  router.post('/v1/models/:target', checkVerb, (req, res) =>
    predict(req, res, { model: modelAndVerb(routeParam(req, 'target')!).model }),
  );

  // Another method on these paths is a 405, not the 404 of a path no endpoint answers.
  router.all(['/', '/v1/models'], methodNotAllowed(READ_METHODS));
  const postOnly = methodNotAllowed(POST_METHOD);
  const readOnly = methodNotAllowed(READ_METHODS);
  router.all('/v1/models/:target', (req, res, next) => {
    (isCallVerb(modelAndVerb(routeParam(req, 'target')!).verb) ? postOnly : readOnly)(req, res, next);
  });

  return router;
}
