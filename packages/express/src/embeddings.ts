import type { Attributes } from '@opentelemetry/api';
import type { EmbeddingAnnotations } from './annotations.js';
import {
  ATTR_EMBEDDINGS_TRUNCATED_INPUTS,
  ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_ENCODING_FORMATS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_OPERATION,
} from './semconv.js';
import { callSpanName } from './span-name.js';

/**
 * The GenAI attributes of an embedding call, whichever protocol carried it,
 * and its span name as the GenAI conventions name spans (see
 * {@link callSpanName}); none when the model is not known yet.
 */
export function embeddingAttributes(
  model: string | undefined,
  embeddings: EmbeddingAnnotations,
): { attributes: Attributes; spanName: string | undefined } {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION.EMBEDDINGS,
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: embeddings.inputTokens,
    [ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT]: embeddings.dimension,
    [ATTR_EMBEDDINGS_TRUNCATED_INPUTS]: embeddings.truncatedInputs,
  };
  if (embeddings.encodingFormat !== undefined) {
    attributes[ATTR_GEN_AI_REQUEST_ENCODING_FORMATS] = [embeddings.encodingFormat];
  }
  if (model === undefined) return { attributes, spanName: undefined };
  attributes[ATTR_GEN_AI_REQUEST_MODEL] = model;
  return { attributes, spanName: callSpanName(GEN_AI_OPERATION.EMBEDDINGS, model) };
}
