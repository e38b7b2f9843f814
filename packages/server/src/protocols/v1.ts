import type { NextFunction, Request, Response } from 'express';
import { Router } from 'express';
import type { ModelList, ModelStatus, PredictResponse } from '@inferlens/protocol';
import { InferenceError, parsePredictRequest } from '@inferlens/protocol';
import { readBody } from '../http/body.js';
import { routeParam } from '../http/params.js';
import type { ModelRepository } from '../repository/model-repository.js';
import { notReadyMessage } from '../repository/model-repository.js';
import { checkInputs } from '../runtime/check-inputs.js';
import { runModel } from './run-model.js';
import { predictionOutputs, predictPayloadToTensors, tensorsToPredictions } from './v1-tensors.js';

export interface V1RouterOptions {
  readonly repository: ModelRepository;
  readonly maxBodyBytes: number;
}

/** The verbs V1 puts after the model name; this server answers `predict`. */
const PREDICT_VERB = 'predict';

/**
 * Splits `iris:predict` into model and verb. Express 5 reads a second colon
 * in a route as another parameter, so the model segment is matched whole
 * and split here.
 */
function modelAndVerb(target: string): { model: string; verb: string | undefined } {
  const colon = target.lastIndexOf(':');
  return colon < 0
    ? { model: target, verb: undefined }
    : { model: target.slice(0, colon), verb: target.slice(colon + 1) };
}

/** KServe V1: list models, model status, and `:predict` on the model's highest version. */
export function v1Router({ repository, maxBodyBytes }: V1RouterOptions): Router {
  const router = Router();

  router.get('/v1/models', (_req, res) => {
    const body: ModelList = { models: repository.modelNames() };
    res.json(body);
  });

  router.get('/v1/models/:model', (req, res) => {
    const found = repository.find(routeParam(req, 'model')!);
    if (found.state !== 'ready') throw new InferenceError('MODEL_NOT_READY', notReadyMessage(found));
    const body: ModelStatus = { name: found.modelName, ready: true };
    res.json(body);
  });

  // The verb is checked before the body is read, so a wrong path is a 404 whatever the body.
  const checkVerb = (req: Request, _res: Response, next: NextFunction): void => {
    if (modelAndVerb(routeParam(req, 'target')!).verb === PREDICT_VERB) {
      next();
      return;
    }
    throw new InferenceError(
      'ROUTE_NOT_FOUND',
      `no endpoint answers POST ${req.path}; predict with POST /v1/models/<model>:${PREDICT_VERB}`,
    );
  };

  const predict = async (req: Request, res: Response): Promise<void> => {
    const found = repository.findReady(modelAndVerb(routeParam(req, 'target')!).model);
    const payload = parsePredictRequest(req.body);
    const { signature } = found.model;
    const tensors = predictPayloadToTensors(payload, signature);
    checkInputs(found.modelName, signature, tensors, found.config.maxBatchSize);
    const outputs = await runModel(res, found, tensors, predictionOutputs(signature, found.config));
    const body: PredictResponse = { predictions: tensorsToPredictions(outputs) };
    res.json(body);
  };
  router.post('/v1/models/:target', checkVerb, readBody(maxBodyBytes), predict);

  return router;
}
