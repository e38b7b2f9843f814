/** A classifier as skl2onnx converts it by default, over V2 and V1: its ZipMap output is left out, its label served. */
import { expect } from 'chai';
import { expectError, getJson, postJson } from '../../../test/support/http.js';
import { zipMapClassifierModel } from '../../../test/support/models.js';
import type { TestServer } from '../../../test/support/server.js';
import { serveModels } from '../../../test/support/server.js';

/** Class scores of two rows: the highest is class 1, then class 0. */
const SCORES = [
  [1, 5, 2],
  [9, 0, 0],
];
const LABELS = [1, 0];
const NOT_SERVED =
  "model 'sklearn' does not serve output 'output_probability': it is a sequence of maps, not a tensor (a ZipMap node's: " +
  "convert the classifier with skl2onnx's options={id(model): {'zipmap': False}} to get its probabilities as a float tensor); " +
  "its outputs are 'output_label'";

describe('models with outputs that are not tensors', () => {
  let served: TestServer;
  const url = (path: string): string => `${served.url}${path}`;
  const input = { name: 'float_input', datatype: 'FP32', shape: [2, 3], data: SCORES.flat() };

  before(async () => {
    served = await serveModels([
      { name: 'sklearn', versions: { '1': zipMapClassifierModel() } },
      {
        name: 'classifier',
        versions: { '1': zipMapClassifierModel() },
        config: { task: 'classification', labelOutput: 'output_label' },
      },
    ]);
  });

  after(async () => {
    await served?.close();
  });

  it('lists only the tensor outputs in V2 metadata', async () => {
    const { status, body } = await getJson(url('/v2/models/sklearn'));
    expect(status).to.equal(200);
    expect(body.outputs).to.deep.equal([{ name: 'output_label', datatype: 'INT64', shape: [-1] }]);
  });

  it('answers V2 infer with the tensor outputs when the request names none', async () => {
    const { status, body } = await postJson(url('/v2/models/sklearn/infer'), { inputs: [input] });
    expect(status).to.equal(200);
    expect(body.outputs).to.deep.equal([{ name: 'output_label', datatype: 'INT64', shape: [2], data: LABELS }]);
  });

  it('answers V2 infer for the label output named alone', async () => {
    const { status, body } = await postJson(url('/v2/models/sklearn/infer'), {
      inputs: [input],
      outputs: [{ name: 'output_label' }],
    });
    expect(status).to.equal(200);
    expect(body.outputs[0].data).to.deep.equal(LABELS);
  });

  it('refuses with 400 a V2 request that names the output left out, saying why', async () => {
    const response = await postJson(url('/v2/models/sklearn/infer'), {
      inputs: [input],
      outputs: [{ name: 'output_label' }, { name: 'output_probability' }],
    });
    expectError(response, 400, NOT_SERVED);
  });

  it('keeps answering 400 naming the outputs for an output the graph does not have', async () => {
    const response = await postJson(url('/v2/models/sklearn/infer'), {
      inputs: [input],
      outputs: [{ name: 'probabilities' }],
    });
    expectError(response, 400, "model 'sklearn' has no output 'probabilities'; its outputs are 'output_label'");
  });

  it('answers V1 with the labels, for a model without a task and for a classifier naming its labelOutput', async () => {
    for (const model of ['sklearn', 'classifier']) {
      const { status, body } = await postJson(url(`/v1/models/${model}:predict`), { instances: SCORES });
      expect(status, model).to.equal(200);
      expect(body, model).to.deep.equal({ predictions: LABELS });
    }
  });
});
