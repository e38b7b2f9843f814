import type { InferRequest, InferResponse, InferResponseOutput, Parameters, Tensor } from '@inferlens/protocol';
import {
  BINARY_DATA,
  BINARY_DATA_OUTPUT,
  BINARY_DATA_SIZE,
  binaryDataSize,
  decodeInput,
  encodeBinaryValues,
  encodeJsonValues,
  invalidRequest,
} from '@inferlens/protocol';

/** The binary section of a body that has none: inputs of `binary_data_size` 0 (empty tensors) read from it. */
const NO_BINARY_DATA = new Uint8Array(0);

/**
 * Decodes the request's inputs. Inputs sent with the binary tensor data
 * extension take consecutive slices of the bytes after the JSON header, in
 * the order the inputs are listed.
 */
export function decodeInputs(request: InferRequest, binary: Uint8Array = NO_BINARY_DATA): Tensor[] {
  let offset = 0;
  const tensors = request.inputs.map((input) => {
    const size = binaryDataSize(input);
    if (size === undefined) return decodeInput(input);
    const available = binary.byteLength;
    if (offset + size > available) {
      throw invalidRequest(
        `input '${input.name}' declares ${size} bytes of binary data, but only ${available - offset} remain`,
      );
    }
    const slice = binary.subarray(offset, offset + size);
    offset += size;
    return decodeInput(input, slice);
  });
  const unread = binary.byteLength - offset;
  if (unread !== 0) throw invalidRequest(`the body holds ${unread} bytes of binary data that no input declares`);
  return tensors;
}

/** An infer answer, and the binary tensor data that follows its JSON when any output asked for it. */
interface EncodedInferResponse {
  readonly json: InferResponse;
  readonly binary: readonly Uint8Array[];
}

function wantsBinary(request: InferRequest, name: string): boolean {
  const parameter = request.outputs?.find((output) => output.name === name)?.parameters?.[BINARY_DATA];
  if (parameter !== undefined) return parameter === true;
  return request.parameters?.[BINARY_DATA_OUTPUT] === true;
}

function outputParameters(request: InferRequest, name: string): Parameters | undefined {
  const requested = request.outputs?.find((output) => output.name === name)?.parameters;
  if (requested === undefined) return undefined;
  const { [BINARY_DATA]: _binary, ...rest } = requested;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/**
 * Builds the answer: `id` echoed, request `parameters` passed through, each
 * output flat and row-major in JSON, or in binary when the request asked
 * (`binary_data` per output, or `binary_data_output` for all).
 */
export function encodeResponse(
  request: InferRequest,
  modelName: string,
  modelVersion: string,
  outputs: readonly Tensor[],
): EncodedInferResponse {
  const binary: Uint8Array[] = [];
  const encoded = outputs.map((tensor): InferResponseOutput => {
    const output: InferResponseOutput = { name: tensor.name, datatype: tensor.datatype, shape: [...tensor.shape] };
    const parameters = outputParameters(request, tensor.name);
    if (wantsBinary(request, tensor.name)) {
      const bytes = encodeBinaryValues(tensor.datatype, tensor.values);
      binary.push(bytes);
      output.parameters = Object.assign({}, parameters, { [BINARY_DATA_SIZE]: bytes.byteLength });
    } else {
      if (parameters !== undefined) output.parameters = parameters;
      output.data = encodeJsonValues(tensor.datatype, tensor.values);
    }
    return output;
  });
  const json: InferResponse = { model_name: modelName, model_version: modelVersion, outputs: encoded };
  if (request.id !== undefined) json.id = request.id;
  if (request.parameters !== undefined) json.parameters = request.parameters;
  return { json, binary };
}
