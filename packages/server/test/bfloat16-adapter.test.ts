/** The rewrite that lets onnxruntime's JavaScript API run models with bfloat16 inputs or outputs. */
import { expect } from 'chai';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { node, valueInfo } from '../../../scripts/onnx/graph.js';
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

describe('adaptBfloat16', () => {
  it('keeps the parts of the model it does not rewrite as they were, fields newer than its schema included', async () => {
    const adapted = adaptBfloat16(scaleByDefaultModel())!;
    const session = await ort.InferenceSession.create(adapted.modelBytes);
    try {
      const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 3), [2]) });
      expect([...(y.data as Float32Array)]).to.deep.equal([2, 6]);
    } finally {
      await session.release();
    }
  });
});
