import type { Tensor } from '@inferlens/protocol';
import { invalidInput } from '@inferlens/protocol';
import type { ModelSignature, SharedDimension } from './onnx-model.js';

/**
 * The largest dimension onnxruntime-node takes: its binding refuses a
 * larger one only once the run starts, which would answer a client's shape
 * as the server's fault. Only a shape of no elements can carry one.
 */
const MAX_DIMENSION = 2 ** 32 - 1;

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

/**
 * Axes the graph names alike (`batch`), in one input or across inputs, must
 * have one size: onnxruntime would refuse the run with its internals as the
 * reason. Every input is present, with the rank it takes.
 */
function checkSharedDimensions(shared: readonly SharedDimension[], tensors: readonly Tensor[]): void {
  for (const { name, axes } of shared) {
    const sizes = axes.map(({ input, axis }) => tensors.find((tensor) => tensor.name === input)!.shape[axis]);
    const other = sizes.findIndex((size) => size !== sizes[0]);
    if (other !== -1) {
      throw invalidInput(
        `dimension '${name}' must have one size: input '${axes[0].input}' gives it ${sizes[0]}, input '${axes[other].input}' gives it ${sizes[other]}`,
      );
    }
  }
}

/**
 * onnxruntime takes string elements as C strings, which end at the first
 * NUL: `a\u0000b` would reach the model as `a`, so it is refused instead.
 */
function checkNoNul(tensor: Tensor): void {
  if (tensor.datatype !== 'BYTES') return;
  const index = (tensor.values as string[]).findIndex((value) => value.includes('\u0000'));
  if (index !== -1) {
    throw invalidInput(
      `input '${tensor.name}': BYTES element ${index} holds a NUL character, which onnxruntime's string tensors cannot carry`,
    );
  }
}

/**
 * Checks request tensors against a model's signature: every tensor names an
 * input, has its datatype and a shape that fits (-1 matches any size, and
 * dimensions named alike match each other), BYTES elements hold no NUL,
 * every input is given, and the batch stays within `maxBatchSize` (0: no limit).
 */
export function checkInputs(
  modelName: string,
  signature: ModelSignature,
  tensors: readonly Tensor[],
  maxBatchSize: number,
): void {
  for (const tensor of tensors) {
    const expected = signature.inputs.find((input) => input.name === tensor.name);
    if (expected === undefined) {
      throw invalidInput(
        `model '${modelName}' has no input '${tensor.name}'; its inputs are ${names(signature.inputs)}`,
      );
    }
    if (tensor.datatype !== expected.datatype) {
      throw invalidInput(`input '${tensor.name}': expected datatype ${expected.datatype}, got ${tensor.datatype}`);
    }
    checkNoNul(tensor);
    if (!fitsShape(expected.shape, tensor.shape)) {
      throw invalidInput(
        `input '${tensor.name}': expected shape ${formatShape(expected.shape)}, got ${formatShape(tensor.shape)}`,
      );
    }
    const large = tensor.shape.find((dim) => dim > MAX_DIMENSION);
    if (large !== undefined) {
      throw invalidInput(
        `input '${tensor.name}': dimension ${large} is larger than ${MAX_DIMENSION}, the most onnxruntime takes`,
      );
    }
    const batch = tensor.shape[0];
    if (batch !== undefined) checkBatchSize(batch, maxBatchSize, tensor.name);
  }
  const missing = signature.inputs.filter((input) => !tensors.some((tensor) => tensor.name === input.name));
  if (missing.length > 0) {
    throw invalidInput(`model '${modelName}' needs input ${names(missing)}, which the request lacks`);
  }
  checkSharedDimensions(signature.sharedDimensions ?? [], tensors);
}

/**
 * The outputs to compute: the requested ones, checked, or all of them. An
 * output the model leaves out (not a tensor) is refused with the reason.
 */
export function selectOutputs(modelName: string, signature: ModelSignature, requested?: readonly string[]): string[] {
  if (requested === undefined || requested.length === 0) return signature.outputs.map((output) => output.name);
  for (const name of requested) {
    if (!signature.outputs.some((output) => output.name === name)) {
      const leftOut = signature.leftOutOutputs?.find((output) => output.name === name);
      if (leftOut !== undefined) {
        throw invalidInput(
          `model '${modelName}' does not serve output '${name}': ${leftOut.reason}; its outputs are ${names(signature.outputs)}`,
        );
      }
      throw invalidInput(`model '${modelName}' has no output '${name}'; its outputs are ${names(signature.outputs)}`);
    }
  }
  return [...requested];
}
