import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PredictResponse, Tensor } from '@inferlens/protocol';
import {
  INFERENCE_HEADER_CONTENT_LENGTH,
  parseInferRequest,
  parsePredictRequest,
  stringifyJson,
  V1_TENSOR_DATA,
  V2_TENSOR_DATA,
} from '@inferlens/protocol';
import { readInferenceBody } from '../http/body.js';
import { sendError } from '../http/errors.js';
import { sendBytes, sendJson } from '../http/respond.js';
import type { Logger } from '../logger.js';
import type { ModelRepository } from '../repository/model-repository.js';
import { checkInputs, selectOutputs } from '../runtime/check-inputs.js';
import type { ModelSignature } from '../runtime/onnx-model.js';
import { embeddingRows, embeddingTensor, textsOfInstances, textsOfTensors } from './embedding-tensors.js';
import { runEmbedding } from './run-embedding.js';
import { runModel } from './run-model.js';
import { predictionOutputs, predictPayloadToTensors, tensorsToPredictions } from './v1-tensors.js';
import { classify, requestedClassCount } from './v2-classification.js';
import { decodeInputs, encodeResponse } from './v2-infer.js';

/** The model a predict or infer path names. */
export interface ModelTarget {
  readonly model: string;
  readonly version?: string | undefined;
}

/**
 * A predict or infer endpoint written against node's own request and
 * response, so the same code answers from an Express route and from the
 * server's direct path. It answers every error itself and never rejects.
 */
export type InferenceHandler = (req: IncomingMessage, res: ServerResponse, target: ModelTarget) => Promise<void>;

export interface HandlerOptions {
  readonly repository: ModelRepository;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

/** KServe V1 `:predict` on the model's highest ready version. */
export function predictHandler({ repository, maxBodyBytes, logger }: HandlerOptions): InferenceHandler {
  return async (req, res, { model }) => {
    try {
      const { json } = await readInferenceBody(req, res, maxBodyBytes, { tensorData: V1_TENSOR_DATA });
      const found = repository.findReady(model);
      const payload = parsePredictRequest(json);
      if (found.embedder !== undefined) {
        const result = await runEmbedding(res, found, found.embedder, textsOfInstances(payload));
        const body: PredictResponse = { predictions: embeddingRows(result) };
        sendJson(res, 200, body);
        return;
      }
      const { signature } = found.model;
      const tensors = predictPayloadToTensors(payload, signature);
      checkInputs(found.modelName, signature, tensors, found.config.maxBatchSize);
      const outputs = await runModel(res, found, tensors, predictionOutputs(signature, found.config));
      const body: PredictResponse = { predictions: tensorsToPredictions(outputs) };
      sendJson(res, 200, body);
    } catch (error) {
      sendError(req, res, error, logger);
    }
  };
}

/** Open Inference V2 `/infer`, with the binary tensor data and classification extensions. */
export function inferHandler({ repository, maxBodyBytes, logger }: HandlerOptions): InferenceHandler {
  return async (req, res, { model, version }) => {
    try {
      const body = await readInferenceBody(req, res, maxBodyBytes, {
        binaryTensorData: true,
        tensorData: V2_TENSOR_DATA,
      });
      const found = repository.findReady(model, version);
      const request = parseInferRequest(body.json);
      const tensors = decodeInputs(request, body.binary);
      const requested = request.outputs?.map((output) => output.name);
      let answered: Tensor[];
      let signature: ModelSignature;
      if (found.embedder !== undefined) {
        signature = found.embedder.signature;
        selectOutputs(found.modelName, signature, requested);
        const texts = textsOfTensors(tensors);
        answered = [embeddingTensor(await runEmbedding(res, found, found.embedder, texts))];
      } else {
        signature = found.model.signature;
        checkInputs(found.modelName, signature, tensors, found.config.maxBatchSize);
        const outputNames = selectOutputs(found.modelName, signature, requested);
        answered = await runModel(res, found, tensors, outputNames);
      }
      const outputs = answered.map((output) => {
        const count = requestedClassCount(request, output.name);
        if (count === undefined) return output;
        const declared = signature.outputs.find((spec) => spec.name === output.name)?.shape;
        return classify(output, count, found.config.labels, declared);
      });
      const { json, binary } = encodeResponse(request, found.modelName, found.version, outputs);
      if (binary.length === 0) {
        sendJson(res, 200, json);
        return;
      }
      const header = Buffer.from(stringifyJson(json));
      sendBytes(
        res,
        200,
        { 'content-type': 'application/octet-stream', [INFERENCE_HEADER_CONTENT_LENGTH]: header.byteLength },
        Buffer.concat([header, ...binary]),
      );
    } catch (error) {
      sendError(req, res, error, logger);
    }
  };
}
