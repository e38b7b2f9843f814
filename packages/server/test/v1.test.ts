/** KServe V1: model list, model status and :predict, on the demo iris model and multi-input models. */
import { expect } from 'chai';
import { encodeModel, identityModel, node, valueInfo } from '../../../scripts/onnx/graph.js';
import { expectError, getJson, post, postJson, postRaw, readJson } from '../../../test/support/http.js';
import { addModel, scaleModel } from '../../../test/support/models.js';
import type { TestServer } from '../../../test/support/server.js';
import { DEMO_REPOSITORY, serveModels, serveRepository } from '../../../test/support/server.js';
import type { InferenceServer } from '../../../packages/server/src/index.js';

/** KServe's sklearn iris example: both instances are versicolor (class 1). */
const KSERVE_INSTANCES = [
  [6.8, 2.8, 4.8, 1.4],
  [6.0, 3.4, 4.5, 1.6],
];

/** `sum` = a + b and `difference` = a - b: two inputs, two outputs. */
function sumAndDifferenceModel(): Uint8Array {
  return encodeModel({
    name: 'sum_and_difference',
    inputs: [valueInfo('a', 'float32', ['batch']), valueInfo('b', 'float32', ['batch'])],
    outputs: [valueInfo('sum', 'float32', ['batch']), valueInfo('difference', 'float32', ['batch'])],
    nodes: [node('Add', ['a', 'b'], ['sum']), node('Sub', ['a', 'b'], ['difference'])],
  });
}

/** `sum` = a + b per row, and `size`, the shape of `a`: one row whatever the batch. */
function sumAndSizeModel(): Uint8Array {
  return encodeModel({
    name: 'sum_and_size',
    inputs: [valueInfo('a', 'float32', ['batch']), valueInfo('b', 'float32', ['batch'])],
    outputs: [valueInfo('sum', 'float32', ['batch']), valueInfo('size', 'int64', [1])],
    nodes: [node('Add', ['a', 'b'], ['sum']), node('Shape', ['a'], ['size'])],
  });
}

/** `sum` = a + b per row, and `total`, the sum of every row: a scalar, with no row per instance. */
function sumAndTotalModel(): Uint8Array {
  return encodeModel({
    name: 'sum_and_total',
    inputs: [valueInfo('a', 'float32', ['batch']), valueInfo('b', 'float32', ['batch'])],
    outputs: [valueInfo('sum', 'float32', ['batch']), valueInfo('total', 'float32', [])],
    nodes: [node('Add', ['a', 'b'], ['sum']), node('ReduceSum', ['sum'], ['total'], { keepdims: 0 })],
  });
}

describe('V1 on the demo iris model', () => {
  let server: InferenceServer;
  const predictUrl = (): string => `${server.url}/v1/models/iris:predict`;

  before(async () => {
    server = await serveRepository(DEMO_REPOSITORY);
  });

  after(async () => {
    await server?.close();
  });

  it('lists the models', async () => {
    const response = await getJson(`${server.url}/v1/models`);
    expect(response.status).to.equal(200);
    expect(response.body).to.have.all.keys('models');
    expect(response.body.models).to.include('iris');
  });

  it("answers liveness at GET /, as KServe's model server does and its SDK's V1 is_server_live reads", async () => {
    const response = await getJson(`${server.url}/`);
    expect(response.status).to.equal(200);
    expect(response.body).to.deep.equal({ status: 'alive' });
  });

  it('answers JSON as application/json without a charset, as KServe answers', async () => {
    const answers = [
      await getJson(`${server.url}/`),
      await getJson(`${server.url}/v1/models`),
      await getJson(`${server.url}/v1/models/iris`),
      await postJson(predictUrl(), { instances: KSERVE_INSTANCES }),
    ];
    for (const answer of answers) expect(answer.headers.get('content-type')).to.equal('application/json');
  });

  it('answers the model status', async () => {
    const response = await getJson(`${server.url}/v1/models/iris`);
    expect(response.status).to.equal(200);
    expect(response.body).to.deep.equal({ name: 'iris', ready: true });
  });

  it("predicts the class labels of `instances`, as KServe's sklearn iris example answers", async () => {
    const response = await postJson(predictUrl(), { instances: KSERVE_INSTANCES });
    expect(response.status).to.equal(200);
    expect(response.body).to.deep.equal({ predictions: [1, 1] });
  });

  it("ignores other body fields, TensorFlow Serving's signature_name among them", async () => {
    const response = await postJson(predictUrl(), { signature_name: 'other', extra: 1, instances: KSERVE_INSTANCES });
    expect(response.body).to.deep.equal({ predictions: [1, 1] });
  });

  it('predicts `inputs` given as an array of rows', async () => {
    const response = await postJson(predictUrl(), { inputs: KSERVE_INSTANCES });
    expect(response.body).to.deep.equal({ predictions: [1, 1] });
  });

  it('predicts `inputs` given as named columns, and instances given as objects', async () => {
    const columns = await postJson(predictUrl(), { inputs: { input: KSERVE_INSTANCES } });
    expect(columns.body).to.deep.equal({ predictions: [1, 1] });
    const objects = await postJson(predictUrl(), { instances: KSERVE_INSTANCES.map((row) => ({ input: row })) });
    expect(objects.body).to.deep.equal({ predictions: [1, 1] });
  });

  it('predicts the three classes of the data set', async () => {
    const response = await postJson(predictUrl(), {
      instances: [
        [5.1, 3.5, 1.4, 0.2],
        [7.0, 3.2, 4.7, 1.4],
        [6.3, 3.3, 6.0, 2.5],
      ],
    });
    expect(response.body).to.deep.equal({ predictions: [0, 1, 2] });
  });

  it('answers 404 for POST /v1/models/irisXYZ without reaching predict', async () => {
    const response = await postJson(`${server.url}/v1/models/irisXYZ`, { instances: KSERVE_INSTANCES });
    expectError(response, 404, 'no endpoint answers POST /v1/models/irisXYZ');
    expect(response.body.error).to.not.include('not in the repository');
  });

  it('answers 404 for POST /v1/models/irisXYZ whatever the body', async () => {
    const empty = await readJson(await fetch(`${server.url}/v1/models/irisXYZ`, { method: 'POST' }));
    expectError(empty, 404, 'no endpoint answers');
    const text = await postRaw(`${server.url}/v1/models/irisXYZ`, 'hello', { 'content-type': 'text/plain' });
    expectError(text, 404, 'no endpoint answers');
  });

  it('answers :explain as KServe does for a model without an explainer: 501, and 404 for an unknown model', async () => {
    const explain = await postJson(`${server.url}/v1/models/iris:explain`, { instances: KSERVE_INSTANCES });
    expectError(explain, 501, "model 'iris' has no explainer to answer POST /v1/models/iris:explain");
    const unknown = await postJson(`${server.url}/v1/models/unknown:explain`, { instances: KSERVE_INSTANCES });
    expectError(unknown, 404, "model 'unknown' is not in the repository");
  });

  it('answers 404 for a verb other than predict and explain', async () => {
    const verb = await postJson(`${server.url}/v1/models/iris:classify`, { instances: KSERVE_INSTANCES });
    expectError(verb, 404, 'no endpoint answers POST /v1/models/iris:classify');
  });

  it('answers 404 for the status and predict of an unknown model', async () => {
    expectError(await getJson(`${server.url}/v1/models/unknown`), 404, "model 'unknown' is not in the repository");
    const predict = await postJson(`${server.url}/v1/models/unknown:predict`, { instances: [[1]] });
    expectError(predict, 404, "model 'unknown' is not in the repository");
  });
});

describe('V1 on models with several inputs, outputs and versions', () => {
  let served: TestServer;
  const predict = (model: string, body: unknown) => postJson(`${served.url}/v1/models/${model}:predict`, body);

  before(async () => {
    served = await serveModels([
      { name: 'add', versions: { '1': addModel() } },
      { name: 'arithmetic', versions: { '1': sumAndDifferenceModel() } },
      { name: 'sum_and_size', versions: { '1': sumAndSizeModel() } },
      { name: 'sum_and_total', versions: { '1': sumAndTotalModel() } },
      { name: 'scale', versions: { '1': scaleModel(1), '3': scaleModel(3) } },
      { name: 'identity_int64', versions: { '1': identityModel('int64', ['n', 2]) } },
      { name: 'identity_string', versions: { '1': identityModel('string', ['n']) } },
    ]);
  });

  it('carries 64-bit integers beyond 2^53 exactly, both ways, as JSON numbers', async () => {
    const instances = '[[9007199254740993,-9223372036854775808],[9223372036854775807,7]]';
    const response = await post(`${served.url}/v1/models/identity_int64:predict`, `{"instances":${instances}}`, {
      'content-type': 'application/json',
    });
    const text = await response.text();
    expect(response.status, text).to.equal(200);
    expect(text).to.equal(`{"predictions":${instances}}`);
  });

  it('refuses a 64-bit integer out of range, naming the input', async () => {
    const response = await post(
      `${served.url}/v1/models/identity_int64:predict`,
      '{"instances":[[9223372036854775808,0]]}',
      { 'content-type': 'application/json' },
    );
    expectError(
      await readJson(response),
      400,
      "input 'input': element 0 is 9223372036854775808, which is not a valid INT64 value",
    );
  });

  after(async () => {
    await served?.close();
  });

  it('reads object instances as named inputs', async () => {
    const response = await predict('add', {
      instances: [
        { a: 1, b: 2 },
        { a: 3, b: 0.5 },
      ],
    });
    expect(response.status).to.equal(200);
    expect(response.body).to.deep.equal({ predictions: [3, 3.5] });
  });

  it('reads named columns as whole inputs', async () => {
    const response = await predict('add', { inputs: { a: [1, 3], b: [2, 0.5] } });
    expect(response.body).to.deep.equal({ predictions: [3, 3.5] });
  });

  it('answers one object per instance for a model with several outputs', async () => {
    const response = await predict('arithmetic', {
      instances: [
        { a: 5, b: 2 },
        { a: 1, b: 4 },
      ],
    });
    expect(response.body).to.deep.equal({
      predictions: [
        { sum: 7, difference: 3 },
        { sum: 5, difference: -3 },
      ],
    });
  });

  it('reads TensorFlow Serving\'s {"b64": ...} strings for a BYTES input, as rows and as named inputs', async () => {
    const rows = await predict('identity_string', { instances: [{ b64: 'aMOp' }, 'plain'] });
    expect(rows.status, JSON.stringify(rows.body)).to.equal(200);
    expect(rows.body).to.deep.equal({ predictions: ['hé', 'plain'] });
    const named = await predict('identity_string', { instances: [{ input: { b64: 'aGk=' } }] });
    expect(named.body).to.deep.equal({ predictions: ['hi'] });
    const columns = await predict('identity_string', { inputs: { input: [{ b64: 'aGk=' }] } });
    expect(columns.body).to.deep.equal({ predictions: ['hi'] });
  });

  it('refuses {"b64": ...} that is not base64, or not UTF-8 text', async () => {
    const notBase64 = await predict('identity_string', { instances: [{ b64: 'a*b' }] });
    expectError(notBase64, 400, "input 'input': element 0 is not valid base64");
    const notText = await predict('identity_string', { instances: [{ b64: '/w==' }] });
    expectError(notText, 400, "input 'input': element 0 is not valid UTF-8");
  });

  it('refuses, rather than drop values, outputs whose rows cannot pair up one per instance', async () => {
    const response = await predict('sum_and_size', {
      instances: [
        { a: 5, b: 2 },
        { a: 1, b: 4 },
      ],
    });
    expectError(
      response,
      400,
      "output 'size' has 1 row and output 'sum' 2: V1 answers one prediction per instance; ask V2 /infer for these outputs",
    );
  });

  it('refuses a scalar output beside per-row outputs at every batch size, one instance included', async () => {
    const message =
      "output 'total' is a scalar, with no row for each instance: V1 answers one prediction per instance; ask V2 /infer for these outputs";
    expectError(await predict('sum_and_total', { instances: [{ a: 5, b: 2 }] }), 400, message);
    const two = await predict('sum_and_total', {
      instances: [
        { a: 5, b: 2 },
        { a: 1, b: 4 },
      ],
    });
    expectError(two, 400, message);
    const v2 = await postJson(`${served.url}/v2/models/sum_and_total/infer`, {
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [1], data: [5] },
        { name: 'b', datatype: 'FP32', shape: [1], data: [2] },
      ],
    });
    expect(v2.body.outputs.find((output: { name: string }) => output.name === 'total')).to.deep.include({
      shape: [],
      data: [7],
    });
  });

  it('refuses instances that mix objects naming the inputs with plain rows', async () => {
    const mixed = await predict('scale', { instances: [{ input: [1, 2] }, [3, 4]] });
    expectError(mixed, 400, 'instance 0 names inputs and instance 1 does not: name them in every instance, or in none');
    const late = await predict('scale', { instances: [[1, 2], [3, 4], { input: [5, 6] }] });
    expectError(late, 400, 'instance 2 names inputs and instance 0 does not: name them in every instance, or in none');
  });

  it('rejects rows that do not name the inputs of a multi-input model', async () => {
    expectError(
      await predict('add', { instances: [[1, 2]] }),
      400,
      "the model has 2 inputs ('a', 'b'): each instance must be an object naming them",
    );
  });

  it('rejects an instance that lacks an input, or names one the model does not have', async () => {
    expectError(await predict('add', { instances: [{ a: 1, b: 2 }, { a: 3 }] }), 400, "instance 1 lacks input 'b'");
    const unknown = await predict('add', { instances: [{ a: 1, b: 2, c: 3 }] });
    expectError(unknown, 400, "the model has no input 'c'; its inputs are 'a', 'b'");
    expectError(await predict('add', { inputs: { a: [1] } }), 400, `"inputs" lacks input 'b'`);
  });

  it('predicts with the highest version', async () => {
    const response = await predict('scale', { instances: [[1, 2]] });
    expect(response.body).to.deep.equal({ predictions: [[3, 6]] });
  });
});
