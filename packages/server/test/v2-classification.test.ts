/** Triton's classification extension on the iris demo model, whose config names its classes. */
import { expect } from 'chai';
import { identityModel } from '../../../scripts/onnx/graph.js';
import { expectError, post, postJson } from '../../../test/support/http.js';
import type { InferenceServer } from '../src/index.js';
import { DEMO_REPOSITORY, serveModels, serveRepository } from '../../../test/support/server.js';

const versicolor = [6.8, 2.8, 4.8, 1.4];
const setosa = [5.1, 3.5, 1.4, 0.2];

function classificationRequest(count: unknown): object {
  return {
    inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 4], data: [versicolor, setosa] }],
    outputs: [{ name: 'probabilities', parameters: { classification: count } }],
  };
}

describe('V2 classification extension', () => {
  let served: InferenceServer;
  const infer = (body: object) => postJson(`${served.url}/v2/models/iris/infer`, body);

  before(async () => {
    served = await serveRepository(DEMO_REPOSITORY);
  });

  after(async () => {
    await served?.close();
  });

  it('is listed in the server metadata', async () => {
    const response = await fetch(`${served.url}/v2`);
    expect(((await response.json()) as { extensions: string[] }).extensions).to.include('classification');
  });

  it('answers the top classes of each row as "score:index:label", highest first', async () => {
    const { status, body } = await infer(classificationRequest(2));
    expect(status).to.equal(200);
    const [output] = body.outputs;
    expect(output).to.include({ name: 'probabilities', datatype: 'BYTES' });
    expect(output.shape).to.deep.equal([2, 2]);
    const [first, second, third, fourth] = (output.data as string[]).map((entry) => entry.split(':'));
    expect([first[1], first[2]]).to.deep.equal(['1', 'versicolor']);
    expect([third[1], third[2]]).to.deep.equal(['0', 'setosa']);
    expect(Number(first[0])).to.be.greaterThan(Number(second[0]));
    expect(Number(third[0])).to.be.greaterThan(Number(fourth[0]));
  });

  it('gives the same scores as the raw output', async () => {
    const raw = await infer({ ...classificationRequest(1), outputs: [{ name: 'probabilities' }] });
    const classified = await infer(classificationRequest(3));
    const scores = raw.body.outputs[0].data as number[];
    const ranked = (classified.body.outputs[0].data as string[]).slice(0, 3).map((entry) => entry.split(':'));
    for (const [score, index] of ranked) expect(Number(score)).to.equal(scores[Number(index)]);
  });

  it('rejects a class count that is not a positive integer', async () => {
    expectError(await infer(classificationRequest(0)), 400, /classification must be a positive integer, got 0$/);
    // Quoted, so that the message does not read as if a valid count were refused.
    expectError(await infer(classificationRequest('2')), 400, /classification must be a positive integer, got "2"$/);
  });

  it('answers every class, ranked, to a count past the classes, as Triton does', async () => {
    const { status, body } = await infer(classificationRequest(4));
    expect(status).to.equal(200);
    const [output] = body.outputs;
    expect(output.shape).to.deep.equal([2, 3]);
    const rows = [(output.data as string[]).slice(0, 3), (output.data as string[]).slice(3)];
    for (const row of rows) {
      expect(row.map((entry) => entry.split(':')[1]).sort()).to.deep.equal(['0', '1', '2']);
      const scores = row.map((entry) => Number(entry.split(':')[0]));
      expect(scores).to.deep.equal([...scores].sort((a, b) => b - a));
    }
  });

  it('refuses to rank an output of one value per row (the predicted label), rather than rank the rows', async () => {
    const request = { ...classificationRequest(1), outputs: [{ name: 'label', parameters: { classification: 1 } }] };
    expectError(await infer(request), 400, /output 'label' holds one value per row, not class scores/);
  });

  describe('on a text-embedding model', () => {
    const inputs = [{ name: 'text', datatype: 'BYTES', shape: [2], data: ['a cat', 'a dog'] }];
    const embed = (count?: unknown) =>
      postJson(`${served.url}/v2/models/demo-embedding/infer`, {
        inputs,
        outputs: [{ name: 'embedding', parameters: count === undefined ? {} : { classification: count } }],
      });

    it("ranks each text's vector as any scores, the largest components first", async () => {
      const raw = await embed();
      const { status, body } = await embed(2);
      expect(status).to.equal(200);
      const [output] = body.outputs;
      expect(output).to.include({ datatype: 'BYTES' });
      expect(output.shape).to.deep.equal([2, 2]);
      const [dimension] = raw.body.outputs[0].shape.slice(1) as number[];
      const vectors = raw.body.outputs[0].data as number[];
      const rows = [0, 1].map((row) => vectors.slice(row * dimension, (row + 1) * dimension));
      const expected = rows.flatMap((vector) =>
        [...vector.keys()]
          .sort((a, b) => vector[b] - vector[a])
          .slice(0, 2)
          .map((index) => `${vector[index]}:${index}`),
      );
      expect(output.data).to.deep.equal(expected);
    });

    it('rejects a class count that is not a positive integer', async () => {
      expectError(await embed('x'), 400, /classification must be a positive integer/);
    });
  });

  /** The classification of `data`, one row of `width` scores, through an identity model of `type`. */
  async function classifyIdentity(type: 'int64' | 'float32', width: number, data: string): Promise<string[]> {
    const scores = await serveModels([{ name: 'scores', versions: { '1': identityModel(type, ['n', width]) } }]);
    try {
      const datatype = type === 'int64' ? 'INT64' : 'FP32';
      const response = await post(
        `${scores.url}/v2/models/scores/infer`,
        `{"inputs":[{"name":"input","datatype":"${datatype}","shape":[1,${width}],"data":[${data}]}],` +
          `"outputs":[{"name":"output","parameters":{"classification":${width}}}]}`,
        { 'content-type': 'application/json' },
      );
      const text = await response.text();
      expect(response.status, text).to.equal(200);
      return JSON.parse(text).outputs[0].data as string[];
    } finally {
      await scores.close();
    }
  }

  it('ranks 64-bit integer scores beyond 2^53 and prints them with all their digits', async () => {
    expect(await classifyIdentity('int64', 3, '[5,9223372036854775807,-9223372036854775808]')).to.deep.equal([
      '9223372036854775807:1',
      '5:0',
      '-9223372036854775808:2',
    ]);
  });

  it('ranks NaN scores last, leaving the others in order, and prints the tokens', async () => {
    expect(await classifyIdentity('float32', 5, '[1,NaN,3,-Infinity,Infinity]')).to.deep.equal([
      'Infinity:4',
      '3:2',
      '1:0',
      '-Infinity:3',
      'NaN:1',
    ]);
  });
});
