import type { ServerResponse } from 'node:http';
import { annotateCall } from '@inferlens/express';
import type { Tensor } from '@inferlens/protocol';
import type { ModelVersion } from '../repository/model-repository.js';
import type { OnnxModel } from '../runtime/onnx-model.js';

/**
 * Runs the model and tells the telemetry what only the server knows: the
 * version that answered, the batch size and the time spent in onnxruntime.
 */
export async function runModel(
  res: ServerResponse,
  version: ModelVersion & { model: OnnxModel },
  inputs: readonly Tensor[],
  outputNames: readonly string[],
): Promise<Tensor[]> {
  const { outputs, executionSeconds } = await version.model.infer(inputs, outputNames);
  // One annotation after the run: a failed run is described by its error instead.
  annotateCall(res, {
    modelVersion: version.version,
    batchSize: inputs[0]?.shape[0],
    modelExecutionSeconds: executionSeconds,
  });
  return outputs;
}
