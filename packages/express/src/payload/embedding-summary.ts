import { float32ToShortestNumber } from '@inferlens/protocol';
import type { EmbeddingAnnotations } from '../annotations.js';
import type { BoundedPayload } from './truncate.js';

/**
 * What the response record of an embedding call holds instead of every
 * float: the vectors' count, dimension and L2 norms, as JSON. A vector of
 * a few hundred floats tells an operator less than its norm does, and costs
 * kilobytes per call; `embeddingVectors: 'full'` keeps the answer whole.
 * `size` stays the answer's size in bytes.
 */
export function embeddingSummary(embeddings: EmbeddingAnnotations, size: number): BoundedPayload {
  const summary = {
    embeddings: {
      count: embeddings.norms.length,
      dimension: embeddings.dimension,
      // Norms of float32 vectors, printed at that precision.
      norms: embeddings.norms.map((norm) => float32ToShortestNumber(Math.fround(norm))),
    },
  };
  return { text: JSON.stringify(summary), size, truncated: false };
}
