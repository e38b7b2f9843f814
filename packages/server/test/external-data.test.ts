/**
 * Models whose weights live in an ONNX external data file beside
 * `model.onnx` (`model.onnx.data`), as exporters save large models.
 */
import { expect } from 'chai';
import type { ElementType } from '../../../scripts/onnx/graph.js';
import { dataType, encodeModel, externalInitializer, node, valueInfo } from '../../../scripts/onnx/graph.js';
import { postJson } from '../../../test/support/http.js';
import type { TestServer } from '../../../test/support/server.js';
import { serveModels } from '../../../test/support/server.js';

const WEIGHTS = Float32Array.of(1, 2, 3);
const DATA_FILE = 'model.onnx.data';

/** `y` = float32(`x`) + weights, the weights read from the external data file. */
function externalWeightsModel(inputType: ElementType): Uint8Array {
  return encodeModel({
    name: `external_${inputType}`,
    inputs: [valueInfo('x', inputType, ['batch', WEIGHTS.length])],
    outputs: [valueInfo('y', 'float32', ['batch', WEIGHTS.length])],
    initializers: [externalInitializer('w', [WEIGHTS.length], DATA_FILE)],
    nodes: [node('Cast', ['x'], ['xf'], { to: dataType('float32') }), node('Add', ['xf', 'w'], ['y'])],
  });
}

describe('models with external data', () => {
  let served: TestServer;

  before(async () => {
    const versionFiles = { [DATA_FILE]: new Uint8Array(WEIGHTS.buffer) };
    served = await serveModels([
      { name: 'fp32', versions: { '1': externalWeightsModel('float32') }, versionFiles },
      // A bfloat16 input makes the server rewrite the graph and load it from memory, not from the file.
      { name: 'bf16', versions: { '1': externalWeightsModel('bfloat16') }, versionFiles },
    ]);
  });

  after(() => served.close());

  for (const [model, datatype] of [
    ['fp32', 'FP32'],
    ['bf16', 'BF16'],
  ] as const) {
    it(`loads ${datatype} inputs with the weights of the file beside model.onnx`, async () => {
      const answer = await postJson(`${served.url}/v2/models/${model}/infer`, {
        inputs: [{ name: 'x', datatype, shape: [1, 3], data: [1, 1, 1] }],
      });
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      expect(answer.body.outputs[0]).to.deep.include({ name: 'y', shape: [1, 3], data: [2, 3, 4] });
    });
  }
});
