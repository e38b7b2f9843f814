import { float32ToShortestNumber } from '@inferlens/protocol';
import type { EmbeddingAnnotations } from '../annotations.js';

/**
 * What the response record of an embedding call holds instead of every
 * float: the vectors' count, dimension and L2 norms, as JSON. A vector of
 * a few hundred floats tells an operator less than its norm does, and costs
 * kilobytes per call; `embeddingVectors: 'full'` keeps the answer whole.
 * It is cut to `maxPayloadBytes` as any record body is (a batch's norms
 * can outgrow it), and the record's size stays the answer's.
 */
export function embeddingSummary(embeddings: EmbeddingAnnotations): string {
  const summary = {
    embeddings: {
      count: embeddings.norms.length,
      dimension: embeddings.dimension,
      // Norms of float32 vectors, printed at that precision.
      norms: embeddings.norms.map((norm) => float32ToShortestNumber(Math.fround(norm))),
    },
  };
  return JSON.stringify(summary);
}
