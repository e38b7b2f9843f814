import type { ServerResponse } from 'node:http';
import { annotateCall } from '@inferlens/express';
import type { EmbeddingEncodingFormat, EmbeddingInput } from '@inferlens/protocol';
import type { ModelVersion } from '../repository/model-repository.js';
import { checkBatchSize } from '../runtime/check-inputs.js';
import type { TextEmbedder } from '../runtime/text-embedder.js';
import type { EmbeddingResult } from '../runtime/text-graph.js';

/** What an embedding call asks beyond its inputs. */
interface EmbeddingOptions {
  /** The vector length asked for (OpenAI's `dimensions`). */
  readonly dimensions?: number | undefined;
  /** The encoding the client named, when the protocol lets it choose (OpenAI's `encoding_format`); none when it named none. */
  readonly encodingFormat?: EmbeddingEncodingFormat | undefined;
  /** The most tokens the model may read over all inputs, when the protocol caps them (OpenAI does). */
  readonly maxTotalTokens?: number | undefined;
}

/**
 * Embeds the inputs and tells the telemetry, in one annotation, what only
 * the server knows: the version, batch size and model time, and for the
 * GenAI attributes the tokens read, the vector length, the norms and how
 * many inputs were cut.
 */
export async function runEmbedding(
  res: ServerResponse,
  version: ModelVersion,
  embedder: TextEmbedder,
  inputs: readonly EmbeddingInput[],
  options: EmbeddingOptions = {},
): Promise<EmbeddingResult> {
  checkBatchSize(inputs.length, version.config.maxBatchSize);
  const result = await embedder.embed(inputs, options.dimensions, options.maxTotalTokens);
  annotateCall(res, {
    modelVersion: version.version,
    batchSize: result.count,
    modelExecutionSeconds: result.modelExecutionSeconds,
    embeddings: {
      inputTokens: result.inputTokens,
      dimension: result.dimension,
      norms: result.norms,
      truncatedInputs: result.truncatedInputs,
      encodingFormat: options.encodingFormat,
    },
  });
  return result;
}
