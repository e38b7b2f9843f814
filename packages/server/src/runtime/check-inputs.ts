import type { Tensor } from '@inferlens/protocol';
import { invalidInput } from '@inferlens/protocol';
import type { ModelSignature, SignatureTensor } from './onnx-model.js';

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function fitsShape(expected: readonly number[], got: readonly number[]): boolean {
  return expected.length === got.length && expected.every((dim, i) => dim === -1 || dim === got[i]);
}

function names(items: readonly { name: string }[]): string {
  return items.map((item) => `'${item.name}'`).join(', ');
}

/**
 * Refuses a batch larger than the model's `maxBatchSize` (0: no limit),
 * naming the input that carries it when there is one.
 */
export function checkBatchSize(batch: number, maxBatchSize: number, input?: string): void {
  if (maxBatchSize > 0 && batch > maxBatchSize) {
    const subject = input === undefined ? '' : `input '${input}': `;
    throw invalidInput(`${subject}batch size ${batch} exceeds the model's maximum of ${maxBatchSize}`);
  }
}

/** Where a symbolic dimension got its size first. */
interface NamedSize {
  readonly input: string;
  readonly size: number;
}

/**
 * Inputs whose graph names a dimension alike (`batch`) must give it one size,
 * as must two dimensions of one input: onnxruntime would refuse the run with
 * its internals as the reason. -1 in metadata cannot say this; the names can.
 */
function checkNamedDimensions(inputs: readonly { tensor: Tensor; expected: SignatureTensor }[]): void {
  const sizes = new Map<string, NamedSize>();
  for (const { tensor, expected } of inputs) {
    expected.dimensionNames?.forEach((dimension, axis) => {
      if (dimension === undefined) return;
      const size = tensor.shape[axis];
      const first = sizes.get(dimension);
      if (first === undefined) sizes.set(dimension, { input: tensor.name, size });
      else if (first.size !== size) {
        throw invalidInput(
          `dimension '${dimension}' must have one size: input '${first.input}' gives it ${first.size}, input '${tensor.name}' gives it ${size}`,
        );
      }
    });
  }
}

/**
 * Checks request tensors against a model's signature: every tensor names an
 * input, has its datatype and a shape that fits (-1 matches any size, and
 * dimensions named alike match each other), every input is given, and the
 * batch stays within `maxBatchSize` (0: no limit).
 */
export function checkInputs(
  modelName: string,
  signature: ModelSignature,
  tensors: readonly Tensor[],
  maxBatchSize: number,
): void {
  const checked = tensors.map((tensor) => {
    const expected = signature.inputs.find((input) => input.name === tensor.name);
    if (expected === undefined) {
      throw invalidInput(
        `model '${modelName}' has no input '${tensor.name}'; its inputs are ${names(signature.inputs)}`,
      );
    }
    if (tensor.datatype !== expected.datatype) {
      throw invalidInput(`input '${tensor.name}': expected datatype ${expected.datatype}, got ${tensor.datatype}`);
    }
    if (!fitsShape(expected.shape, tensor.shape)) {
      throw invalidInput(
        `input '${tensor.name}': expected shape ${formatShape(expected.shape)}, got ${formatShape(tensor.shape)}`,
      );
    }
    const batch = tensor.shape[0];
    if (batch !== undefined) checkBatchSize(batch, maxBatchSize, tensor.name);
    return { tensor, expected };
  });
  checkNamedDimensions(checked);
  const missing = signature.inputs.filter((input) => !tensors.some((tensor) => tensor.name === input.name));
  if (missing.length > 0) {
    throw invalidInput(`model '${modelName}' needs input ${names(missing)}, which the request lacks`);
  }
}

/** The outputs to compute: the requested ones, checked, or all of them. */
export function selectOutputs(modelName: string, signature: ModelSignature, requested?: readonly string[]): string[] {
  if (requested === undefined || requested.length === 0) return signature.outputs.map((output) => output.name);
  for (const name of requested) {
    if (!signature.outputs.some((output) => output.name === name)) {
      throw invalidInput(`model '${modelName}' has no output '${name}'; its outputs are ${names(signature.outputs)}`);
    }
  }
  return [...requested];
}
