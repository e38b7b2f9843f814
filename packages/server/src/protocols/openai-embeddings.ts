import type { EmbeddingObject, EmbeddingsRequest, EmbeddingsResponse } from '@inferlens/protocol';
import { InferenceError, MAX_EMBEDDING_REQUEST_TOKENS, parseEmbeddingsRequest } from '@inferlens/protocol';
import { readInferenceBody } from '../http/body.js';
import { sendError } from '../http/errors.js';
import { OPENAI_V1_PATH, openAiErrorBody } from '../http/openai-errors.js';
import { sendJson } from '../http/respond.js';
import type { EmbeddingResult } from '../runtime/text-graph.js';
import { embeddingRows } from './embedding-tensors.js';
import type { HandlerOptions, InferenceHandler } from './handlers.js';
import { runEmbedding } from './run-embedding.js';

/** The path of OpenAI's embeddings endpoint on this server. */
export const OPENAI_EMBEDDINGS_PATH = `${OPENAI_V1_PATH}/embeddings`;

const FLOAT32_BYTES = Float32Array.BYTES_PER_ELEMENT;

/**
 * Each vector's float32 bytes in base64, as OpenAI's `encoding_format:
 * "base64"` answers; the bytes are the host's, little-endian on every
 * platform onnxruntime-node ships for.
 */
function base64Vectors(result: EmbeddingResult): string[] {
  const { vectors, count, dimension } = result;
  const bytes = Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  const rowBytes = dimension * FLOAT32_BYTES;
  return Array.from({ length: count }, (_, row) =>
    bytes.subarray(row * rowBytes, (row + 1) * rowBytes).toString('base64'),
  );
}

/**
 * Refuses vectors with a NaN or infinite value in OpenAI's float format.
 * Its clients read the answer as strict JSON (JavaScript's JSON.parse
 * refuses the whole answer at a `NaN`), and the `null` JSON.stringify
 * would write reads as 0 in JavaScript's arithmetic: a plausible but wrong
 * similarity. A vector with such a value is no use either way, so the
 * answer is an error that names it; base64 carries the bytes as they are.
 */
function checkFinite({ vectors, dimension }: EmbeddingResult): void {
  for (let i = 0; i < vectors.length; i++) {
    const value = vectors[i];
    if (value - value !== 0) {
      throw new InferenceError(
        'INTERNAL',
        `embedding ${Math.floor(i / dimension)} holds ${value}, which OpenAI's float format (JSON numbers) cannot carry; ` +
          'encoding_format "base64" answers the float32 values as the model gave them',
      );
    }
  }
}

function embeddingsResponse(request: EmbeddingsRequest, result: EmbeddingResult): EmbeddingsResponse {
  if (request.encodingFormat !== 'base64') checkFinite(result);
  const vectors = request.encodingFormat === 'base64' ? base64Vectors(result) : embeddingRows(result);
  const data = vectors.map((embedding, index): EmbeddingObject => ({ object: 'embedding', embedding, index }));
  return {
    object: 'list',
    data,
    model: request.model,
    usage: { prompt_tokens: result.inputTokens, total_tokens: result.inputTokens },
  };
}

/**
 * OpenAI's `POST /v1/embeddings` on the highest ready version of a
 * `text_embedding` model, with OpenAI's error shape and its cap on the
 * tokens of one request. The model is named in the body, so the path's
 * target is not read.
 */
export function embeddingsHandler({ repository, maxBodyBytes, logger }: HandlerOptions): InferenceHandler {
  return async (req, res) => {
    try {
      const { json } = await readInferenceBody(req, res, maxBodyBytes);
      const request = parseEmbeddingsRequest(json);
      const found = repository.findEmbedder(request.model);
      // The telemetry names the encoding the client asked for, as the GenAI conventions want ("if specified"),
      // not the default the answer falls back on: a null one, as the parser reads it, is none.
      const asked = (json as { encoding_format?: unknown }).encoding_format ?? undefined;
      const result = await runEmbedding(
        res,
        found,
        found.embedder,
        request.inputs,
        Object.assign({}, request, {
          encodingFormat: asked === undefined ? undefined : request.encodingFormat,
          maxTotalTokens: MAX_EMBEDDING_REQUEST_TOKENS,
        }),
      );
      sendJson(res, 200, embeddingsResponse(request, result));
    } catch (error) {
      sendError(req, res, error, logger, openAiErrorBody);
    }
  };
}
