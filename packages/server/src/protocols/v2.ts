import type { Request, Response } from 'express';
import { Router } from 'express';
import type { ModelMetadata, ServerMetadata } from '@inferlens/protocol';
import { InferenceError } from '@inferlens/protocol';
import { methodNotAllowed, POST_METHOD, READ_METHODS } from '../http/errors.js';
import { routeParam } from '../http/params.js';
import { sendJson } from '../http/respond.js';
import type { Logger } from '../logger.js';
import type { ModelRepository } from '../repository/model-repository.js';
import { notReadyMessage } from '../repository/model-repository.js';
import { SERVER_NAME, SERVER_VERSION } from '../version.js';
import { inferHandler } from './handlers.js';

/** The platform name Triton reports for ONNX models. */
const PLATFORM = 'onnxruntime_onnx';

/** Protocol extensions this server implements, as `GET /v2` lists them. */
const EXTENSIONS: readonly string[] = ['binary_tensor_data', 'classification'];

interface V2RouterOptions {
  readonly repository: ModelRepository;
  /** True once every model has loaded and until shutdown begins. */
  readonly isReady: () => boolean;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

/**
 * Open Inference (KServe V2) REST: health, server and model metadata, model
 * readiness and infer, each model route with and without `/versions/{v}`.
 */
export function v2Router({ repository, isReady, maxBodyBytes, logger }: V2RouterOptions): Router {
  const router = Router();

  router.get('/v2', (_req, res) => {
    const metadata: ServerMetadata = { name: SERVER_NAME, version: SERVER_VERSION, extensions: [...EXTENSIONS] };
    sendJson(res, 200, metadata);
  });

  router.get('/v2/health/live', (_req, res) => {
    sendJson(res, 200, { live: true });
  });

  router.get('/v2/health/ready', (_req, res) => {
    if (!isReady())
      throw new InferenceError(
        'SERVER_NOT_READY',
        'the server is not ready: models are still loading, or it is shutting down',
      );
    sendJson(res, 200, { ready: true });
  });

  const ready = (req: Request, res: Response): void => {
    const found = repository.find(routeParam(req, 'model')!, routeParam(req, 'version'));
    if (found.state !== 'ready') throw new InferenceError('MODEL_NOT_READY', notReadyMessage(found));
    sendJson(res, 200, { name: found.modelName, ready: true });
  };
  router.get('/v2/models/:model/ready', ready);
  router.get('/v2/models/:model/versions/:version/ready', ready);

  const metadata = (req: Request, res: Response): void => {
    const found = repository.findReady(routeParam(req, 'model')!, routeParam(req, 'version'));
    const model = repository.models().find((item) => item.name === found.modelName)!;
    // A text-embedding model is served as texts in, vectors out, whatever its graph's token tensors.
    const signature = found.embedder?.signature ?? found.model.signature;
    const body: ModelMetadata = {
      name: found.modelName,
      // Only the ready versions, as Triton lists them: one that failed or is loading would answer 503.
      versions: model.versions.filter((item) => item.state === 'ready').map((item) => item.version),
      platform: PLATFORM,
      inputs: [...signature.inputs],
      outputs: [...signature.outputs],
    };
    sendJson(res, 200, body);
  };
  router.get('/v2/models/:model', metadata);
  router.get('/v2/models/:model/versions/:version', metadata);

  const infer = inferHandler({ repository, maxBodyBytes, logger });
  const inferRoute = (req: Request, res: Response): Promise<void> =>
    infer(req, res, { model: routeParam(req, 'model')!, version: routeParam(req, 'version') });
  router.post('/v2/models/:model/infer', inferRoute);
  router.post('/v2/models/:model/versions/:version/infer', inferRoute);

  // Another method on these paths is a 405, not the 404 of a path no endpoint answers.
  router.all(
    [
      '/v2',
      '/v2/health/live',
      '/v2/health/ready',
      '/v2/models/:model/ready',
      '/v2/models/:model/versions/:version/ready',
      '/v2/models/:model',
      '/v2/models/:model/versions/:version',
    ],
    methodNotAllowed(READ_METHODS),
  );
  router.all(['/v2/models/:model/infer', '/v2/models/:model/versions/:version/infer'], methodNotAllowed(POST_METHOD));

  return router;
}
