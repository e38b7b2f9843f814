import type { Tensor } from '../datatypes.js';
import { elementCount } from '../datatypes.js';
import { invalidInput, invalidRequest } from '../errors.js';
import { decodeJsonValues, flattenNested } from '../json-tensor.js';
import { decodeBinaryValues } from './binary.js';
import type { InferRequestInput } from './types.js';
import { BINARY_DATA_SIZE } from './types.js';

/**
 * Decodes one request input into a tensor, checking that the data holds as
 * many elements as the shape says. `binary` is the input's slice of the
 * binary tensor data when it travelled that way.
 */
export function decodeInput(input: InferRequestInput, binary?: Uint8Array): Tensor {
  const { name, datatype, shape } = input;
  const expected = elementCount(shape);
  if (input.data === undefined) {
    if (binary === undefined) throw invalidRequest(`input '${name}' names binary data, but the body has none`);
    return { name, datatype, shape, values: decodeBinaryValues(datatype, binary, expected, name) };
  }
  const flat = flattenNested(input.data, name);
  if (flat.values.length !== expected) {
    throw invalidInput(
      `input '${name}': shape [${shape.join(', ')}] holds ${expected} elements, but data has ${flat.values.length}`,
    );
  }
  return { name, datatype, shape, values: decodeJsonValues(datatype, flat.values, name) };
}

/**
 * The binary size an input declares, or undefined when it travels as JSON
 * (`parseInferRequest` refuses an input that gives both).
 */
export function binaryDataSize(input: InferRequestInput): number | undefined {
  const size = input.parameters?.[BINARY_DATA_SIZE];
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
    throw invalidRequest(`input '${input.name}': ${BINARY_DATA_SIZE} must be a non-negative integer`);
  }
  return size;
}
