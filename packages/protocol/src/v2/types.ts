import type { Datatype } from '../datatypes.js';

/**
 * Free-form `parameters` of a request, response or tensor. An integer past
 * 2^53 (a 64-bit id, say) is a bigint, echoed with all its digits.
 */
export type Parameters = Record<string, string | number | bigint | boolean>;

/** `POST /v2/models/{model}[/versions/{version}]/infer` request body. */
export interface InferRequest {
  id?: string;
  parameters?: Parameters;
  inputs: InferRequestInput[];
  outputs?: RequestedOutput[];
}

export interface InferRequestInput {
  name: string;
  shape: number[];
  datatype: Datatype;
  parameters?: Parameters;
  /** Absent when the tensor travels in binary form (`binary_data_size`). */
  data?: unknown[];
}

export interface RequestedOutput {
  name: string;
  parameters?: Parameters;
}

/** The infer answer. */
export interface InferResponse {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Parameters;
  outputs: InferResponseOutput[];
}

export interface InferResponseOutput {
  name: string;
  shape: number[];
  datatype: Datatype;
  parameters?: Parameters;
  /** Flat, row-major; absent when the tensor travels in binary form. */
  data?: unknown[];
}

/** `GET /v2` answer. */
export interface ServerMetadata {
  name: string;
  version: string;
  extensions: string[];
}

/** One input or output in model metadata; -1 marks a dynamic dimension. */
export interface TensorMetadata {
  name: string;
  datatype: Datatype;
  shape: number[];
}

/** `GET /v2/models/{model}[/versions/{version}]` answer. */
export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
  parameters?: Parameters;
}

/** Parameter names of the binary tensor data extension. */
export const BINARY_DATA_SIZE = 'binary_data_size';
export const BINARY_DATA = 'binary_data';
export const BINARY_DATA_OUTPUT = 'binary_data_output';

/** Header that gives the JSON part's length in a binary-extension body. */
export const INFERENCE_HEADER_CONTENT_LENGTH = 'inference-header-content-length';

/**
 * The JSON part's length an `Inference-Header-Content-Length` value gives:
 * decimal digits only, as HTTP writes lengths (`Number` alone would take
 * `0x5f`, `1e2` or an empty value); undefined for anything else.
 */
export function parseJsonPartLength(value: string): number | undefined {
  return /^\d+$/.test(value) ? Number(value) : undefined;
}
