import type { Pooling } from '../repository/embedding-config.js';

/** Token vectors of a batch: `[count, sequence, hidden]`, row-major. */
interface TokenVectors {
  readonly values: Float32Array;
  readonly count: number;
  readonly sequence: number;
  readonly hidden: number;
}

/**
 * One vector per text from its token vectors: the mean over its real
 * tokens (`lengths`, padding excluded, as sentence-transformers does), or
 * its first token's (`[CLS]`).
 */
export function pool(
  tokens: TokenVectors,
  lengths: readonly number[],
  pooling: Exclude<Pooling, 'none'>,
): Float32Array {
  const { values, count, sequence, hidden } = tokens;
  const pooled = new Float32Array(count * hidden);
  for (let row = 0; row < count; row++) {
    const first = row * sequence * hidden;
    const out = pooled.subarray(row * hidden, (row + 1) * hidden);
    if (pooling === 'cls') {
      out.set(values.subarray(first, first + hidden));
      continue;
    }
    const length = lengths[row];
    for (let token = 0; token < length; token++) {
      const offset = first + token * hidden;
      for (let dim = 0; dim < hidden; dim++) out[dim] += values[offset + dim];
    }
    for (let dim = 0; dim < hidden; dim++) out[dim] /= length;
  }
  return pooled;
}

/** The leading `dimensions` components of each of `count` vectors of length `width`. */
export function leadingDimensions(
  vectors: Float32Array,
  count: number,
  width: number,
  dimensions: number,
): Float32Array {
  if (dimensions === width) return vectors;
  const cut = new Float32Array(count * dimensions);
  for (let row = 0; row < count; row++)
    cut.set(vectors.subarray(row * width, row * width + dimensions), row * dimensions);
  return cut;
}

/** The L2 norm of each of the vectors of length `width`. */
export function norms(vectors: Float32Array, width: number): number[] {
  const result: number[] = [];
  for (let offset = 0; offset < vectors.length; offset += width) {
    let sum = 0;
    for (let dim = 0; dim < width; dim++) sum += vectors[offset + dim] ** 2;
    result.push(Math.sqrt(sum));
  }
  return result;
}

/**
 * Scales each vector to unit length, in place; a zero vector stays zero
 * rather than becoming NaN. Returns the norms it divided by.
 */
export function normalize(vectors: Float32Array, width: number): number[] {
  const measured = norms(vectors, width);
  measured.forEach((norm, row) => {
    if (norm === 0) return;
    for (let dim = 0; dim < width; dim++) vectors[row * width + dim] /= norm;
  });
  return measured;
}
