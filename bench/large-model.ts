import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeModel, node, valueInfo } from '../scripts/onnx/graph.js';

/** The model's only reduction axis: the features of each row. */
const FEATURE_AXIS = 1;
const DROP_AXIS = 0;

/** A temporary model repository with one model; `remove` deletes it. */
export interface TempModelRepository {
  readonly path: string;
  readonly model: string;
  remove(): Promise<void>;
}

/**
 * Writes a model taking `[batch, features]` FP32 and answering each row's
 * mean (`[batch]`): the request is large, the work and the answer small, so
 * the scenario measures payload handling rather than the model.
 */
export async function writeWideModelRepository(features: number): Promise<TempModelRepository> {
  const model = 'wide';
  const bytes = encodeModel({
    name: model,
    inputs: [valueInfo('input', 'float32', ['batch', features])],
    outputs: [valueInfo('mean', 'float32', ['batch'])],
    nodes: [node('ReduceMean', ['input'], ['mean'], { axes: [FEATURE_AXIS], keepdims: DROP_AXIS })],
  });
  const path = await mkdtemp(join(tmpdir(), 'inferlens-bench-'));
  await mkdir(join(path, model, '1'), { recursive: true });
  await writeFile(join(path, model, '1', 'model.onnx'), bytes);
  return { path, model, remove: () => rm(path, { recursive: true, force: true }) };
}
