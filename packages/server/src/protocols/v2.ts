import type { Request, Response } from 'express';
import { Router } from 'express';
import type { ModelMetadata, ServerMetadata } from '@inferlens/protocol';
import { INFERENCE_HEADER_CONTENT_LENGTH, InferenceError, parseInferRequest } from '@inferlens/protocol';
import { binaryPart, readBody } from '../http/body.js';
import { routeParam } from '../http/params.js';
import type { ModelRepository } from '../repository/model-repository.js';
import { notReadyMessage } from '../repository/model-repository.js';
import { checkInputs, selectOutputs } from '../runtime/check-inputs.js';
import { SERVER_NAME, SERVER_VERSION } from '../version.js';
import { classify, requestedClassCount } from './v2-classification.js';
import { decodeInputs, encodeResponse } from './v2-infer.js';
import { runModel } from './run-model.js';

/** The platform name Triton reports for ONNX models. */
const PLATFORM = 'onnxruntime_onnx';

/** Protocol extensions this server implements, as `GET /v2` lists them. */
export const EXTENSIONS: readonly string[] = ['binary_tensor_data', 'classification'];

export interface V2RouterOptions {
  readonly repository: ModelRepository;
  /** True once every model has loaded and until shutdown begins. */
  readonly isReady: () => boolean;
  readonly maxBodyBytes: number;
}

/**
 * Open Inference (KServe V2) REST: health, server and model metadata, model
 * readiness and infer, each model route with and without `/versions/{v}`.
 */
export function v2Router({ repository, isReady, maxBodyBytes }: V2RouterOptions): Router {
  const router = Router();

  router.get('/v2', (_req, res) => {
    const metadata: ServerMetadata = { name: SERVER_NAME, version: SERVER_VERSION, extensions: [...EXTENSIONS] };
    res.json(metadata);
  });

  router.get('/v2/health/live', (_req, res) => {
    res.json({ live: true });
  });

  router.get('/v2/health/ready', (_req, res) => {
    if (!isReady())
      throw new InferenceError(
        'SERVER_NOT_READY',
        'the server is not ready: models are still loading, or it is shutting down',
      );
    res.json({ ready: true });
  });

  const ready = (req: Request, res: Response): void => {
    const found = repository.find(routeParam(req, 'model')!, routeParam(req, 'version'));
    if (found.state !== 'ready') throw new InferenceError('MODEL_NOT_READY', notReadyMessage(found));
    res.json({ name: found.modelName, ready: true });
  };
  router.get('/v2/models/:model/ready', ready);
  router.get('/v2/models/:model/versions/:version/ready', ready);

  const metadata = (req: Request, res: Response): void => {
    const found = repository.findReady(routeParam(req, 'model')!, routeParam(req, 'version'));
    const model = repository.models().find((item) => item.name === found.modelName)!;
    const body: ModelMetadata = {
      name: found.modelName,
      versions: model.versions.map((item) => item.version),
      platform: PLATFORM,
      inputs: found.model.signature.inputs.map((input) => ({ ...input, shape: [...input.shape] })),
      outputs: found.model.signature.outputs.map((output) => ({ ...output, shape: [...output.shape] })),
    };
    res.json(body);
  };
  router.get('/v2/models/:model', metadata);
  router.get('/v2/models/:model/versions/:version', metadata);

  const infer = async (req: Request, res: Response): Promise<void> => {
    const found = repository.findReady(routeParam(req, 'model')!, routeParam(req, 'version'));
    const request = parseInferRequest(req.body);
    const tensors = decodeInputs(request, binaryPart(req));
    const { signature } = found.model;
    checkInputs(found.modelName, signature, tensors, found.config.maxBatchSize);
    const outputNames = selectOutputs(
      found.modelName,
      signature,
      request.outputs?.map((output) => output.name),
    );
    const outputs = (await runModel(res, found, tensors, outputNames)).map((output) => {
      const count = requestedClassCount(request, output.name);
      return count === undefined ? output : classify(output, count, found.config.labels);
    });
    const { json, binary } = encodeResponse(request, found.modelName, found.version, outputs);
    if (binary.length === 0) {
      res.json(json);
      return;
    }
    const header = Buffer.from(JSON.stringify(json));
    res.setHeader(INFERENCE_HEADER_CONTENT_LENGTH, header.byteLength);
    res.type('application/octet-stream').send(Buffer.concat([header, ...binary]));
  };
  const body = readBody(maxBodyBytes);
  router.post('/v2/models/:model/infer', body, infer);
  router.post('/v2/models/:model/versions/:version/infer', body, infer);

  return router;
}
