import { expect } from 'chai';
import { batchSizeOf } from '../src/batch-size.js';
import { PROTOCOL } from '../src/semconv.js';

describe('batchSizeOf', () => {
  it('counts KServe V1 rows given as instances or inputs, as rows or as columns', () => {
    const bodies = [
      { instances: [[1], [2], [3]] },
      { inputs: [[1], [2]] },
      { instances: { sepal: [5.1, 4.9, 4.7, 4.6], petal: [1, 2, 3, 4] } },
      { inputs: { sepal: [5.1] } },
      { instances: { sepal: 5.1 } },
    ];
    expect(bodies.map((body) => batchSizeOf(PROTOCOL.KSERVE_V1, body))).to.deep.equal([3, 2, 4, 1, undefined]);
  });

  it('takes a V2 first dimension of 0 as an empty batch', () => {
    const body = { inputs: [{ name: 'x', shape: [0, 4], datatype: 'FP32', data: [] }] };
    expect(batchSizeOf(PROTOCOL.OPEN_INFERENCE_V2, body)).to.equal(0);
  });

  it('counts one OpenAI input for a single string', () => {
    expect(batchSizeOf(PROTOCOL.OPENAI, { model: 'minilm', input: 'hello' })).to.equal(1);
  });
});
