import { invalidRequest } from '../errors.js';
import type { EmbeddingEncodingFormat, EmbeddingInput, EmbeddingsRequest } from './types.js';
import { isJsonObject } from '../json-object.js';
import { showJsonValue } from '../json-text.js';

/** The most inputs one request may hold, as OpenAI's API allows. */
export const MAX_EMBEDDING_INPUTS = 2048;

/**
 * The most tokens one request may hold over all its inputs, as OpenAI's
 * API allows; a server counts them as its model reads them.
 */
export const MAX_EMBEDDING_REQUEST_TOKENS = 300_000;

/** `encoding_format` when the request gives none. */
export const DEFAULT_ENCODING_FORMAT: EmbeddingEncodingFormat = 'float';

const ENCODING_FORMATS: readonly EmbeddingEncodingFormat[] = ['float', 'base64'];

function isTokenId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** The field an error about the inputs names, as OpenAI's `param`. */
const INPUT = 'input';

function checkTokens(tokens: readonly unknown[], where: string): readonly number[] {
  if (tokens.length === 0) throw invalidRequest(`${where} must not be an empty array of token ids`, INPUT);
  const bad = tokens.findIndex((token) => !isTokenId(token));
  if (bad >= 0) throw invalidRequest(`${where}[${bad}] must be a non-negative integer token id`, INPUT);
  return tokens as readonly number[];
}

/**
 * Whether an `input` array is one input of token ids rather than many
 * inputs: its first element is a number, or a bigint (an id past 2^53,
 * read whole by `parseJsonText`, then refused as no token id).
 */
export function holdsTokenIds(input: readonly unknown[]): boolean {
  const first = typeof input[0];
  return first === 'number' || first === 'bigint';
}

const INPUT_SHAPES = 'a string, an array of strings, an array of token ids or an array of such arrays';

/** `input`: a string, an array of strings, an array of token ids, or an array of token id arrays. */
function parseInputs(input: unknown): EmbeddingInput[] {
  // OpenAI refuses an empty text: it has nothing to embed.
  if (typeof input === 'string') {
    if (input === '') throw invalidRequest('"input" must not be an empty string', INPUT);
    return [input];
  }
  if (!Array.isArray(input)) throw invalidRequest(`"input" must be ${INPUT_SHAPES}`, INPUT);
  if (input.length === 0) throw invalidRequest('"input" must not be an empty array', INPUT);
  if (holdsTokenIds(input)) return [checkTokens(input, '"input"')];
  if (input.length > MAX_EMBEDDING_INPUTS) {
    throw invalidRequest(`"input" holds ${input.length} inputs; at most ${MAX_EMBEDDING_INPUTS} are allowed`, INPUT);
  }
  // Texts or token arrays, as the first item is, never both: OpenAI's input takes no mix of the two.
  const texts = typeof input[0] === 'string';
  return input.map((item: unknown, index) => {
    if (texts && typeof item === 'string') {
      if (item === '') throw invalidRequest(`"input"[${index}] must not be an empty string`, INPUT);
      return item;
    }
    if (!texts && Array.isArray(item)) return checkTokens(item, `"input"[${index}]`);
    if (index === 0) {
      throw invalidRequest(`"input"[0] must be a string or an array of token ids (${INPUT_SHAPES})`, INPUT);
    }
    const kind = texts ? 'a string' : 'an array of token ids';
    throw invalidRequest(`"input"[${index}] must be ${kind}, as "input"[0] is (${INPUT_SHAPES})`, INPUT);
  });
}

/**
 * Reads an OpenAI embeddings request body. `model` and `input` are
 * required; `encoding_format` defaults to `float`; `dimensions` must be a
 * positive integer (whether the model supports it is the server's call);
 * `user` is accepted and ignored, as are fields this API does not define.
 * `null` for an optional field is read as its absence.
 */
export function parseEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (!isJsonObject(body)) throw invalidRequest('the request body must be a JSON object with "model" and "input"');
  const { model, input } = body;
  // An optional field given as null is not given, as OpenAI reads it: LiteLLM sends "encoding_format": null.
  const format = body.encoding_format ?? undefined;
  const dimensions = body.dimensions ?? undefined;
  const user = body.user ?? undefined;
  if (typeof model !== 'string' || model === '') throw invalidRequest('"model" must be a non-empty string', 'model');
  if (input === undefined) throw invalidRequest('"input" is required', INPUT);
  if (format !== undefined && !ENCODING_FORMATS.includes(format as EmbeddingEncodingFormat)) {
    throw invalidRequest(
      `"encoding_format" must be one of ${ENCODING_FORMATS.join(', ')}, got ${showJsonValue(format)}`,
      'encoding_format',
    );
  }
  if (dimensions !== undefined && !(Number.isSafeInteger(dimensions) && (dimensions as number) > 0)) {
    throw invalidRequest(`"dimensions" must be a positive integer, got ${showJsonValue(dimensions)}`, 'dimensions');
  }
  if (user !== undefined && typeof user !== 'string') throw invalidRequest('"user" must be a string', 'user');
  return {
    model,
    inputs: parseInputs(input),
    encodingFormat: (format as EmbeddingEncodingFormat | undefined) ?? DEFAULT_ENCODING_FORMAT,
    dimensions: dimensions as number | undefined,
  };
}
