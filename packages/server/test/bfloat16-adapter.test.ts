/** The rewrite that lets onnxruntime's JavaScript API run models with bfloat16 inputs or outputs. */
import { expect } from 'chai';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { dataType, encodeModel, node, valueInfo } from '../../../scripts/onnx/graph.js';
import { adaptBfloat16 } from '../src/runtime/bfloat16-adapter.js';

const { onnx } = onnxProto;

/** A length-delimited protobuf field, written by hand for fields newer than onnx-proto's schema. */
function lengthDelimited(field: number, bytes: Uint8Array): Uint8Array {
  const varint = (value: number): number[] => {
    const out: number[] = [];
    for (; value > 0x7f; value >>>= 7) out.push((value & 0x7f) | 0x80);
    return [...out, value];
  };
  return Uint8Array.from([...varint((field << 3) | 2), ...varint(bytes.length), ...bytes]);
}

/** FunctionProto's `attribute_proto` (ONNX 1.13): attributes with their default values. */
const FUNCTION_ATTRIBUTE_DEFAULTS = 11;
/** ModelProto's `functions`: the model's local functions. */
const MODEL_FUNCTIONS = 25;

/**
 * `y` = float32(`x`) × alpha, through a local function `Scale` whose
 * attribute `alpha` defaults to 2 and which the graph calls without it.
 */
function scaleByDefaultModel(): Uint8Array {
  const scale = onnx.FunctionProto.encode({
    name: 'Scale',
    domain: 'local',
    input: ['a'],
    output: ['b'],
    attribute: [],
    opsetImport: [{ domain: '', version: 17 }],
    node: [
      {
        opType: 'Constant',
        output: ['c'],
        attribute: [{ name: 'value_float', refAttrName: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT }],
      },
      node('Cast', ['a'], ['a_float'], { to: onnx.TensorProto.DataType.FLOAT }),
      node('Mul', ['a_float', 'c'], ['b']),
    ],
  }).finish();
  const alpha = onnx.AttributeProto.encode({ name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: 2 });
  const model = onnx.ModelProto.encode({
    irVersion: 9,
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'local', version: 1 },
    ],
    graph: {
      name: 'scale_by_default',
      input: [valueInfo('x', 'bfloat16', [2])],
      output: [valueInfo('y', 'float32', [2])],
      node: [{ opType: 'Scale', domain: 'local', input: ['x'], output: ['y'] }],
    },
  }).finish();
  const fn = Uint8Array.from([...scale, ...lengthDelimited(FUNCTION_ATTRIBUTE_DEFAULTS, alpha.finish())]);
  return Uint8Array.from([...model, ...lengthDelimited(MODEL_FUNCTIONS, fn)]);
}

/**
 * `y` = float32(`x`) × float32(`w`), `x` of shape [n, 2]; `w` is a bfloat16
 * graph input that the graph gives a default, [1, 2], as an initializer.
 */
function weightWithDefaultModel(): Uint8Array {
  const weight = onnx.TensorProto.create({
    name: 'w',
    dataType: dataType('bfloat16'),
    dims: [2],
    // 1 and 2 in bfloat16, little-endian.
    rawData: Uint8Array.of(0x80, 0x3f, 0x00, 0x40),
  });
  return encodeModel({
    name: 'weight_with_default',
    inputs: [valueInfo('x', 'bfloat16', ['n', 2]), valueInfo('w', 'bfloat16', [2])],
    outputs: [valueInfo('y', 'float32', ['n', 2])],
    initializers: [weight],
    nodes: [
      node('Cast', ['x'], ['x_float'], { to: dataType('float32') }),
      node('Cast', ['w'], ['w_float'], { to: dataType('float32') }),
      node('Mul', ['x_float', 'w_float'], ['y']),
    ],
  });
}

async function runAdapted(model: Uint8Array, x: Float32Array, dims: readonly number[]): Promise<number[]> {
  const session = await ort.InferenceSession.create(adaptBfloat16(model)!.modelBytes, { logSeverityLevel: 3 });
  try {
    const { y } = await session.run({ x: new ort.Tensor('float32', x, dims) });
    return [...(y.data as Float32Array)];
  } finally {
    await session.release();
  }
}

describe('adaptBfloat16', () => {
  it('keeps the parts of the model it does not rewrite as they were, fields newer than its schema included', async () => {
    expect(await runAdapted(scaleByDefaultModel(), Float32Array.of(1, 3), [2])).to.deep.equal([2, 6]);
  });

  it('leaves a bfloat16 input that the graph gives a default as it is, since it is no input of the session', async () => {
    expect(await runAdapted(weightWithDefaultModel(), Float32Array.of(3, 3), [1, 2])).to.deep.equal([3, 6]);
  });
});
