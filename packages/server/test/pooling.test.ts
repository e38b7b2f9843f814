/** Pooling and normalisation of token vectors. */
import { expect } from 'chai';
import { leadingDimensions, normalize, norms, pool } from '../src/runtime/pooling.js';

/** Two texts of a batch padded to 3 tokens, 2 dimensions: the second has 2 real tokens and one padding row. */
const TOKENS = {
  values: Float32Array.from([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 99, 99]),
  count: 2,
  sequence: 3,
  hidden: 2,
};

describe('pooling', () => {
  it('means the real tokens of each text, leaving padding out', () => {
    expect(Array.from(pool(TOKENS, [3, 2], 'mean'))).to.deep.equal([3, 4, 20, 30]);
  });

  it("takes each text's first ([CLS]) token", () => {
    expect(Array.from(pool(TOKENS, [3, 2], 'cls'))).to.deep.equal([1, 2, 10, 20]);
  });

  it('keeps the leading dimensions of each vector', () => {
    const vectors = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(Array.from(leadingDimensions(vectors, 2, 3, 2))).to.deep.equal([1, 2, 4, 5]);
    expect(leadingDimensions(vectors, 2, 3, 3)).to.equal(vectors);
  });

  it('normalises to unit length, and leaves a zero vector zero', () => {
    const vectors = Float32Array.from([3, 4, 0, 0]);
    expect(norms(vectors, 2)).to.deep.equal([5, 0]);
    expect(normalize(vectors, 2), 'the norms divided by').to.deep.equal([5, 0]);
    expect(Array.from(vectors)).to.deep.equal([Math.fround(0.6), Math.fround(0.8), 0, 0]);
  });
});
