/** The rewrite that lets onnxruntime's JavaScript API run models with bfloat16 inputs or outputs. */
import { expect } from 'chai';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import type { ElementType } from '../../../scripts/onnx/graph.js';
import { dataType, encodeModel, initializer, node, valueInfo } from '../../../scripts/onnx/graph.js';
import { adaptBfloat16 } from '../src/runtime/bfloat16-adapter.js';
import { fieldPayloads, lengthDelimited, metadataEntry, stringField, withFields } from './support/onnx-wire.js';

const { onnx } = onnxProto;

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

/**
 * `y` = float32(`x`), with the graph written in two parts, its inputs and
 * nodes in the first and its outputs in the second: protobuf reads them as
 * one graph.
 */
function graphInPartsModel(): Uint8Array {
  const first = onnx.GraphProto.encode({
    name: 'graph_in_parts',
    input: [valueInfo('x', 'bfloat16', [2])],
    node: [node('Cast', ['x'], ['y'], { to: dataType('float32') })],
  }).finish();
  const second = onnx.GraphProto.encode({ output: [valueInfo('y', 'float32', [2])] }).finish();
  const model = onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }] }).finish();
  return withFields(model, lengthDelimited(MODEL_GRAPH, first), lengthDelimited(MODEL_GRAPH, second));
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

/** GraphProto's `node`, `initializer`, `input`, `output` and `value_info`. */
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const GRAPH_VALUE_INFO = 13;
/** NodeProto's `attribute`. */
const NODE_ATTRIBUTE = 5;
/** NodeProto's `overload` (ONNX 1.15): which of the local functions of that name the node calls. */
const NODE_OVERLOAD = 8;
/** NodeProto's `metadata_props` (ONNX 1.16), which PyTorch's dynamo exporter writes on every node. */
const NODE_METADATA_PROPS = 9;
/** ValueInfoProto's `metadata_props` (ONNX 1.16). */
const VALUE_INFO_METADATA_PROPS = 4;
/** TensorProto's `metadata_props` (ONNX 1.16). */
const TENSOR_METADATA_PROPS = 16;
/** AttributeProto's `g`: a graph-valued attribute, such as an If node's branches. */
const ATTRIBUTE_GRAPH = 6;
/** FunctionProto's `overload` (ONNX 1.15). */
const FUNCTION_OVERLOAD = 13;

/** A model's bytes and the fields newer than onnx-proto's schema written into its graph. */
interface TaggedModel {
  readonly model: Uint8Array;
  readonly newerFields: readonly Uint8Array[];
}

/**
 * `y` = bfloat16(float32(`x`) × 3), `x` and `y` bfloat16 of shape [2],
 * where every message of the graph carries fields newer than onnx-proto's
 * schema: `x` reaches the multiplication through an If node whose branches
 * read it, as bfloat16, from the outer graph, and the multiplication is the
 * overload `triple` of a local function `Scale` whose overload `double`
 * multiplies by 2.
 */
function taggedModel(): TaggedModel {
  const newerFields: Uint8Array[] = [];
  const tag = (field: number, key: string): Uint8Array => {
    const entry = metadataEntry(field, key, `${key} metadata`);
    newerFields.push(entry);
    return entry;
  };
  /** A graph's node, with more fields after those onnx-proto encodes. */
  const graphNode = (graphNode: onnxProto.onnx.INodeProto, ...more: Uint8Array[]): Uint8Array =>
    lengthDelimited(GRAPH_NODE, withFields(onnx.NodeProto.encode(graphNode).finish(), ...more));
  /** A graph's value info of shape [2], tagged with metadata. */
  const value = (field: number, name: string, type: ElementType): Uint8Array =>
    lengthDelimited(
      field,
      withFields(onnx.ValueInfoProto.encode(valueInfo(name, type, [2])).finish(), tag(VALUE_INFO_METADATA_PROPS, name)),
    );
  const branch = (name: string): Uint8Array => {
    const attribute = onnx.AttributeProto.encode({ name, type: onnx.AttributeProto.AttributeType.GRAPH }).finish();
    const body = withFields(
      onnx.GraphProto.encode({ name, output: [valueInfo(`t_${name}`, 'bfloat16', [2])] }).finish(),
      graphNode(node('Identity', ['x'], [`t_${name}`]), tag(NODE_METADATA_PROPS, name)),
    );
    return lengthDelimited(NODE_ATTRIBUTE, withFields(attribute, lengthDelimited(ATTRIBUTE_GRAPH, body)));
  };
  const overload = stringField(NODE_OVERLOAD, 'triple');
  newerFields.push(overload);
  const condition = onnx.TensorProto.encode(initializer('condition', 'bool', [], [true])).finish();
  const graph = withFields(
    onnx.GraphProto.encode({ name: 'tagged' }).finish(),
    value(GRAPH_INPUT, 'x', 'bfloat16'),
    value(GRAPH_OUTPUT, 'y', 'bfloat16'),
    value(GRAPH_VALUE_INFO, 't', 'bfloat16'),
    lengthDelimited(GRAPH_INITIALIZER, withFields(condition, tag(TENSOR_METADATA_PROPS, 'condition'))),
    graphNode(
      { opType: 'If', input: ['condition'], output: ['t'] },
      branch('then_branch'),
      branch('else_branch'),
      tag(NODE_METADATA_PROPS, 'if'),
    ),
    graphNode(
      { opType: 'Scale', domain: 'local', input: ['t'], output: ['u'] },
      overload,
      tag(NODE_METADATA_PROPS, 'scale'),
    ),
    graphNode(node('Cast', ['u'], ['y'], { to: dataType('bfloat16') }), tag(NODE_METADATA_PROPS, 'cast')),
  );
  const scale = (name: string, factor: number): Uint8Array =>
    lengthDelimited(
      MODEL_FUNCTIONS,
      withFields(
        onnx.FunctionProto.encode({
          name: 'Scale',
          domain: 'local',
          input: ['a'],
          output: ['b'],
          opsetImport: [{ domain: '', version: 21 }],
          node: [
            node('Cast', ['a'], ['a_float'], { to: dataType('float32') }),
            node('Constant', [], ['factor'], { value_float: { float: factor } }),
            node('Mul', ['a_float', 'factor'], ['b']),
          ],
        }).finish(),
        stringField(FUNCTION_OVERLOAD, name),
      ),
    );
  const model = withFields(
    onnx.ModelProto.encode({
      irVersion: 10,
      opsetImport: [
        { domain: '', version: 21 },
        { domain: 'local', version: 1 },
      ],
    }).finish(),
    scale('double', 2),
    scale('triple', 3),
    lengthDelimited(MODEL_GRAPH, graph),
  );
  return { model, newerFields };
}

/** Whether `bytes` holds `part` as one run of bytes. */
function contains(bytes: Uint8Array, part: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(part) >= 0;
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

  it('keeps the fields newer than its schema inside the graph: on nodes, values, initializers and branches', async () => {
    const { model, newerFields } = taggedModel();
    const rewritten = adaptBfloat16(model)!.modelBytes;
    for (const field of newerFields) expect(contains(rewritten, field), Buffer.from(field).toString()).to.equal(true);
    // ONNX wants nodes in topological order: the input's cast before all others, the output's after its producer.
    const [graph] = fieldPayloads(rewritten, MODEL_GRAPH);
    const nodes = onnx.GraphProto.decode(graph).node.map(
      ({ opType, input, output }) => `${opType}: ${input?.join()} -> ${output?.join()}`,
    );
    expect(nodes).to.deep.equal([
      'Cast: x -> x__inferlens_bfloat16',
      'If: condition -> t',
      'Scale: t -> u',
      'Cast: u -> y__inferlens_bfloat16',
      'Cast: y__inferlens_bfloat16 -> y',
    ]);
    expect(await runAdapted(model, Float32Array.of(1.5, -2), [2])).to.deep.equal([4.5, -6]);
  });

  it('reads a graph written in several parts as one, as protobuf does', async () => {
    expect(await runAdapted(graphInPartsModel(), Float32Array.of(0.5, 4), [2])).to.deep.equal([0.5, 4]);
  });

  it('leaves a bfloat16 input that the graph gives a default as it is, since it is no input of the session', async () => {
    expect(await runAdapted(weightWithDefaultModel(), Float32Array.of(3, 3), [1, 2])).to.deep.equal([3, 6]);
  });
});
