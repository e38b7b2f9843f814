/** TextGraph's runs of a model, with a stand-in for onnxruntime whose runs take a set time. */
import { join } from 'node:path';
import type { Tensor } from '@inferlens/protocol';
import { expect } from 'chai';
import { DEMO_EMBEDDING } from '../../../test/support/embeddings.js';
import { DEMO_REPOSITORY } from '../../../test/support/server.js';
import { parseEmbeddingConfig } from '../src/repository/embedding-config.js';
import type { OnnxModel } from '../src/runtime/onnx-model.js';
import { TextGraph } from '../src/runtime/text-graph.js';
import { TextTokenizer } from '../src/runtime/text-tokenizer.js';

const HIDDEN = 2;
const SECONDS_PER_RUN = 0.25;

/** A model of one input and token vectors of ones, each run reported as taking SECONDS_PER_RUN. */
function timedModel(): OnnxModel {
  const model = {
    signature: {
      inputs: [{ name: 'input_ids', datatype: 'INT64', shape: [-1, -1] }],
      outputs: [{ name: 'last_hidden_state', datatype: 'FP32', shape: [-1, -1, HIDDEN] }],
    },
    infer: ([ids]: Tensor[]) => {
      const [rows, width] = ids.shape;
      const shape = [rows, width, HIDDEN];
      const outputs = [
        { name: 'last_hidden_state', datatype: 'FP32', shape, values: new Float32Array(rows * width * HIDDEN).fill(1) },
      ];
      return Promise.resolve({ outputs, executionSeconds: SECONDS_PER_RUN });
    },
  };
  return model as unknown as OnnxModel;
}

describe('TextGraph', () => {
  it("counts the model's execution time of every run a request takes, 32 inputs a run", async () => {
    const tokenizer = await TextTokenizer.load(join(DEMO_REPOSITORY, DEMO_EMBEDDING, '1', 'tokenizer.json'));
    const graph = new TextGraph(timedModel(), tokenizer, parseEmbeddingConfig(undefined));
    const result = await graph.run(
      Array.from({ length: 70 }, () => 'cat'),
      undefined,
    );
    expect(result.count).to.equal(70);
    // 70 inputs: runs of 32, 32 and 6.
    expect(result.modelExecutionSeconds).to.equal(3 * SECONDS_PER_RUN);
  });

  it("normalises a graph's pooled output in a copy, leaving onnxruntime's buffer as the run wrote it", async () => {
    const tokenizer = await TextTokenizer.load(join(DEMO_REPOSITORY, DEMO_EMBEDDING, '1', 'tokenizer.json'));
    const written = new Float32Array([3, 4]);
    const model = {
      signature: {
        inputs: [{ name: 'input_ids', datatype: 'INT64', shape: [-1, -1] }],
        outputs: [{ name: 'sentence_embedding', datatype: 'FP32', shape: [-1, HIDDEN] }],
      },
      infer: () =>
        Promise.resolve({
          outputs: [{ name: 'sentence_embedding', datatype: 'FP32', shape: [1, HIDDEN], values: written }],
          executionSeconds: SECONDS_PER_RUN,
        }),
    } as unknown as OnnxModel;
    const config = { ...parseEmbeddingConfig(undefined), pooling: 'none' as const, normalize: true };
    const result = await new TextGraph(model, tokenizer, config).run(['cat'], undefined);
    expect([...result.vectors]).to.deep.equal([0.6000000238418579, 0.800000011920929]);
    expect([...written]).to.deep.equal([3, 4]);
  });
});
