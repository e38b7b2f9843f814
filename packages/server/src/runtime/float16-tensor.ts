import * as ort from 'onnxruntime-node';

/**
 * FP16 tensors as onnxruntime-node takes and gives them on every Node.js
 * line. The protocol keeps FP16 values as their bits, a `Uint16Array`.
 * Where the JavaScript runtime has `Float16Array` (Node.js 24), onnxruntime-common
 * wraps such bits in one, and onnxruntime-node's binding (up to 1.30 at
 * least) reads that array's byte length as 0 and refuses the run: "not
 * enough space: expected 2, got 0" (onnxruntime pull request 32323).
 */

/**
 * A float16 tensor of `bits`, whose `data`, which the binding reads, is the
 * bits themselves (as on runtimes without `Float16Array`) rather than the
 * `Float16Array` view of them onnxruntime-common made.
 */
export function float16Tensor(bits: Uint16Array, dims: readonly number[]): ort.Tensor {
  const tensor = new ort.Tensor('float16', bits, dims);
  return tensor.data === bits ? tensor : Object.defineProperty(tensor, 'data', { value: bits });
}

/** The bits of a float16 output: its data as it is, or a view of the bits under a `Float16Array`. */
export function float16Bits(data: ort.Tensor['data']): Uint16Array {
  if (data instanceof Uint16Array) return data;
  const halves = data as unknown as ArrayBufferView & { readonly length: number };
  return new Uint16Array(halves.buffer, halves.byteOffset, halves.length);
}
