/** The rewrite that lets onnxruntime's JavaScript API run models with bfloat16 inputs or outputs. */
import { expect } from 'chai';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import protobuf from 'protobufjs/minimal.js';
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

/** The payloads of a message's length-delimited fields numbered `field`, in order. */
function fieldPayloads(message: Uint8Array, field: number): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  const reader = protobuf.Reader.create(message);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === field) payloads.push(reader.bytes());
    else reader.skipType(tag & 7);
  }
  return payloads;
}

/** ModelProto's `graph`. */
const MODEL_GRAPH = 7;
/** GraphProto's `metadata_props` (ONNX 1.16, IR version 10): the graph's named metadata values. */
const GRAPH_METADATA_PROPS = 16;

/** `y` = float32(`x`), in a graph that carries the metadata entry `stage: tested`. */
function castWithGraphMetadataModel(): Uint8Array {
  const graph = onnx.GraphProto.encode({
    name: 'cast_with_graph_metadata',
    input: [valueInfo('x', 'bfloat16', [2])],
    output: [valueInfo('y', 'float32', [2])],
    node: [node('Cast', ['x'], ['y'], { to: dataType('float32') })],
  }).finish();
  const entry = onnx.StringStringEntryProto.encode({ key: 'stage', value: 'tested' }).finish();
  const withMetadata = Uint8Array.from([...graph, ...lengthDelimited(GRAPH_METADATA_PROPS, entry)]);
  const model = onnx.ModelProto.encode({ irVersion: 10, opsetImport: [{ domain: '', version: 21 }] }).finish();
  return Uint8Array.from([...model, ...lengthDelimited(MODEL_GRAPH, withMetadata)]);
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

  it("keeps the graph's own fields newer than its schema, such as its metadata", async () => {
    const model = castWithGraphMetadataModel();
    const graphs = fieldPayloads(adaptBfloat16(model)!.modelBytes, MODEL_GRAPH);
    expect(graphs).to.have.lengthOf(1);
    const metadata = fieldPayloads(graphs[0], GRAPH_METADATA_PROPS).map((entry) =>
      onnx.StringStringEntryProto.decode(entry).toJSON(),
    );
    expect(metadata).to.deep.equal([{ key: 'stage', value: 'tested' }]);
    expect(await runAdapted(model, Float32Array.of(1.5, -2), [2])).to.deep.equal([1.5, -2]);
  });

  it('leaves a bfloat16 input that the graph gives a default as it is, since it is no input of the session', async () => {
    expect(await runAdapted(weightWithDefaultModel(), Float32Array.of(3, 3), [1, 2])).to.deep.equal([3, 6]);
  });
});
