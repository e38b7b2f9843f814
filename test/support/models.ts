/** Tiny ONNX graphs the server tests serve, built with scripts/onnx/graph.ts. */
import type { ValueInfo } from '../../scripts/onnx/graph.js';
import {
  dataType,
  encodeModel,
  initializer,
  mapSequenceValueInfo,
  mlNode,
  node,
  valueInfo,
} from '../../scripts/onnx/graph.js';

/**
 * The model of the Open Inference spec's infer example: `input0` UINT32
 * [2, 2] and `input1` BOOL [n]; `output0` FP32 [n, 2] holds row i as
 * `[k, k + 0.1]`, k being the running count of true values in `input1` plus
 * `min(input0) - 1`, so the spec's request (`input0` = [1, 2, 3, 4], three
 * true values) gives the spec's answer `[1.0, 1.1, 2.0, 2.1, 3.0, 3.1]`.
 * `output1` echoes `input0`.
 */
export function specExampleModel(): Uint8Array {
  return encodeModel({
    name: 'spec_example',
    inputs: [valueInfo('input0', 'uint32', [2, 2]), valueInfo('input1', 'bool', ['n'])],
    outputs: [valueInfo('output0', 'float32', ['n', 2]), valueInfo('output1', 'uint32', [2, 2])],
    initializers: [
      initializer('axis0', 'int64', [], [0]),
      initializer('axes1', 'int64', [1], [1]),
      initializer('one', 'float32', [], [1]),
      initializer('columns', 'float32', [2], [0, 0.1]),
    ],
    nodes: [
      node('Cast', ['input1'], ['flags'], { to: dataType('float32') }),
      node('CumSum', ['flags', 'axis0'], ['counts']),
      node('Unsqueeze', ['counts', 'axes1'], ['column']),
      node('Cast', ['input0'], ['input0_float'], { to: dataType('float32') }),
      node('ReduceMin', ['input0_float'], ['smallest'], { keepdims: 0 }),
      node('Sub', ['smallest', 'one'], ['offset']),
      node('Add', ['column', 'offset'], ['rows']),
      node('Add', ['rows', 'columns'], ['output0']),
      node('Identity', ['input0'], ['output1']),
    ],
  });
}

/** `sum` = `a` + `b`, both FP32 [batch]: a model with two inputs. */
export function addModel(): Uint8Array {
  return encodeModel({
    name: 'add',
    inputs: [valueInfo('a', 'float32', ['batch']), valueInfo('b', 'float32', ['batch'])],
    outputs: [valueInfo('sum', 'float32', ['batch'])],
    nodes: [node('Add', ['a', 'b'], ['sum'])],
  });
}

/** `output` = `input` × `factor`, FP32 [batch, 2]; versions of one model differ by their factor. */
export function scaleModel(factor: number): Uint8Array {
  return encodeModel({
    name: `scale_${factor}`,
    inputs: [valueInfo('input', 'float32', ['batch', 2])],
    outputs: [valueInfo('output', 'float32', ['batch', 2])],
    initializers: [initializer('factor', 'float32', [], [factor])],
    nodes: [node('Mul', ['input', 'factor'], ['output'])],
  });
}

/**
 * Reshapes FP32 [n] to [1]: it loads and warms up (on one element), but
 * onnxruntime throws inside `session.run` for any other number of elements.
 */
export function reshapeToOneModel(): Uint8Array {
  return encodeModel({
    name: 'reshape_to_one',
    inputs: [valueInfo('x', 'float32', ['n'])],
    outputs: [valueInfo('y', 'float32', [1])],
    initializers: [initializer('target', 'int64', [1], [1])],
    nodes: [node('Reshape', ['x', 'target'], ['y'])],
  });
}

/** The `ai.onnx.ml` opset skl2onnx imports for a classifier's ZipMap. */
const ML_OPSET_VERSION = 1;
/** ArgMax's axis 1 picks a class per row; keepdims 0 answers [batch], as skl2onnx's label is. */
const CLASS_AXIS = 1;
const DROP_CLASS_AXIS = 0;

/**
 * A classifier as skl2onnx converts one by default: `float_input` FP32
 * [batch, 3] holds class scores; `output_label` INT64 [batch] is the index
 * of the highest and `output_probability` a ZipMap's sequence of maps, one
 * `{class: probability}` per row, made from their softmax. With
 * `tensorOutputs: false` the label is left out, so no output is a tensor.
 */
export function zipMapClassifierModel({ tensorOutputs = true } = {}): Uint8Array {
  const probability = mapSequenceValueInfo('output_probability', 'int64', 'float32');
  const outputs: ValueInfo[] = tensorOutputs
    ? [valueInfo('output_label', 'int64', ['batch']), probability]
    : [probability];
  return encodeModel(
    {
      name: 'zipmap_classifier',
      inputs: [valueInfo('float_input', 'float32', ['batch', 3])],
      outputs,
      nodes: [
        node('ArgMax', ['float_input'], ['output_label'], { axis: CLASS_AXIS, keepdims: DROP_CLASS_AXIS }),
        node('Softmax', ['float_input'], ['probabilities'], { axis: CLASS_AXIS }),
        mlNode('ZipMap', ['probabilities'], ['output_probability'], { classlabels_int64s: [0, 1, 2] }),
      ],
    },
    { mlOpsetVersion: ML_OPSET_VERSION },
  );
}
