/**
 * Vector arithmetic for embeddings: the demo model's build check and the
 * embedding tests compare vectors with these. Typed arrays and plain arrays
 * alike, as onnxruntime hands out the one and JSON answers hold the other.
 */

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** Euclidean length. */
export function norm(vector: ArrayLike<number>): number {
  return Math.sqrt(dot(vector, vector));
}

/** Cosine similarity: 1 for the same direction, 0 for orthogonal vectors. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return dot(a, b) / (norm(a) * norm(b));
}
