export { ERROR_STATUS, InferenceError, invalidInput, invalidRequest } from './errors.js';
export { isJsonObject } from './json-object.js';
export { parseJsonText, stringifyJson } from './json-text.js';
export { FloatToken } from './float-token.js';
export { isHighSurrogate, isLowSurrogate } from './utf16.js';
export type { JsonPath, JsonPathTest } from './json-non-finite.js';
export type { ErrorBody, ErrorKind } from './errors.js';
export {
  DATATYPES,
  DATATYPE_BYTE_SIZE,
  TYPED_ARRAY_BY_DATATYPE,
  elementCount,
  isDatatype,
  zeroValues,
} from './datatypes.js';
export type { Datatype, Tensor, TensorValueMap, TensorValues } from './datatypes.js';
export {
  float32ToShortestNumber,
  fromBfloat16Bits,
  fromFloat16Bits,
  toBfloat16Bits,
  toFloat16Bits,
  widenBfloat16Bits,
} from './half-precision.js';
export { decodeJsonValues, encodeJsonValues, flattenNested, MAX_TENSOR_RANK, nestFlat } from './json-tensor.js';
export type { FlatData, JsonElement } from './json-tensor.js';
export { parseInferRequest, V2_TENSOR_DATA } from './v2/parse.js';
export { binaryDataSize, decodeInput } from './v2/tensors.js';
export { decodeBinaryValues, encodeBinaryValues } from './v2/binary.js';
export {
  BINARY_DATA,
  BINARY_DATA_OUTPUT,
  BINARY_DATA_SIZE,
  INFERENCE_HEADER_CONTENT_LENGTH,
  parseJsonPartLength,
} from './v2/types.js';
export type {
  InferRequest,
  InferRequestInput,
  InferResponse,
  InferResponseOutput,
  ModelMetadata,
  Parameters,
  RequestedOutput,
  ServerMetadata,
  TensorMetadata,
} from './v2/types.js';
export { decodeBase64Values, isBase64Value } from './v1/base64.js';
export { parsePredictRequest, V1_TENSOR_DATA } from './v1/parse.js';
export type {
  ModelList,
  ModelStatus,
  PredictPayload,
  PredictRequest,
  PredictResponse,
  ServerStatus,
} from './v1/types.js';
export {
  DEFAULT_ENCODING_FORMAT,
  holdsTokenIds,
  MAX_EMBEDDING_INPUTS,
  MAX_EMBEDDING_REQUEST_TOKENS,
  parseEmbeddingsRequest,
} from './openai/parse.js';
export type {
  EmbeddingEncodingFormat,
  EmbeddingInput,
  EmbeddingObject,
  EmbeddingsRequest,
  EmbeddingsResponse,
  OpenAiErrorBody,
  OpenAiModel,
  OpenAiModelList,
} from './openai/types.js';
