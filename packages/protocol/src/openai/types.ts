/** OpenAI's embeddings API, as `POST /v1/embeddings` takes and answers it. */
import type { FloatToken } from '../float-token.js';

/** How the vectors are written: JSON numbers, or base64 of little-endian float32 bytes. */
export type EmbeddingEncodingFormat = 'float' | 'base64';

/** One input: a text, or the token ids of one. */
export type EmbeddingInput = string | readonly number[];

/** A parsed embeddings request. */
export interface EmbeddingsRequest {
  readonly model: string;
  /** Every input, in order; a single string or token array is one. */
  readonly inputs: readonly EmbeddingInput[];
  readonly encodingFormat: EmbeddingEncodingFormat;
  /** The vector length asked for, when the request names one. */
  readonly dimensions: number | undefined;
}

export interface EmbeddingObject {
  object: 'embedding';
  /** The vector (a -0 component as its FloatToken, for `stringifyJson`), or its base64 float32 bytes. */
  embedding: (number | FloatToken)[] | string;
  index: number;
}

export interface EmbeddingsResponse {
  object: 'list';
  data: EmbeddingObject[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** A model as `GET /v1/models` lists it. */
export interface OpenAiModel {
  id: string;
  object: 'model';
  /** Unix seconds. */
  created: number;
  owned_by: string;
}

export interface OpenAiModelList {
  object: 'list';
  data: OpenAiModel[];
}

/** OpenAI's error answer. */
export interface OpenAiErrorBody {
  /** `param`: the request field at fault, or null. */
  error: { message: string; type: string; param: string | null; code: string };
}
