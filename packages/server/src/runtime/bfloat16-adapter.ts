import onnxProto from 'onnx-proto';
import protobuf from 'protobufjs/minimal.js';

// onnx-proto is CommonJS and builds its namespace at run time: only the default import works.
const { onnx } = onnxProto;
type GraphProto = onnxProto.onnx.IGraphProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

const { BFLOAT16, FLOAT } = onnx.TensorProto.DataType;

/** The suffix of the internal tensor that holds a bfloat16 graph input or output. */
const INTERNAL_SUFFIX = '__inferlens_bfloat16';

/**
 * A model rewritten so that onnxruntime's JavaScript API, which has no
 * bfloat16 tensors, can run it: each bfloat16 graph input is fed as float32
 * and cast to bfloat16 inside the graph, and each bfloat16 output is cast to
 * float32 on the way out. bfloat16 widens to float32 exactly, so the values
 * on the wire are unchanged.
 */
export interface Bfloat16Adaptation {
  readonly modelBytes: Uint8Array;
  /** Graph inputs that take float32 in place of bfloat16. */
  readonly inputs: ReadonlySet<string>;
  /** Graph outputs that give float32 in place of bfloat16. */
  readonly outputs: ReadonlySet<string>;
}

function isBfloat16(value: ValueInfoProto): boolean {
  return value.type?.tensorType?.elemType === BFLOAT16;
}

/** Renames every use of a tensor, in nested subgraphs (If, Loop, Scan bodies) too. */
function renameUses(graph: GraphProto, from: string, to: string, inOutputs: boolean): void {
  for (const node of graph.node ?? []) {
    node.input = (node.input ?? []).map((name) => (name === from ? to : name));
    if (inOutputs) node.output = (node.output ?? []).map((name) => (name === from ? to : name));
    for (const attribute of node.attribute ?? []) {
      if (attribute.g) renameUses(attribute.g, from, to, false);
      for (const subgraph of attribute.graphs ?? []) renameUses(subgraph, from, to, false);
    }
  }
}

function castNode(input: string, output: string, to: number): onnxProto.onnx.INodeProto {
  return {
    opType: 'Cast',
    input: [input],
    output: [output],
    name: `${output}_cast`,
    attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: to }],
  };
}

/** ModelProto's field number of its graph. */
const GRAPH_FIELD = 7;
/** Protobuf's wire type of a length-delimited field, such as an embedded message. */
const LENGTH_DELIMITED = 2;

/** Where one field of a message lies in its bytes: its tag, and its value. */
interface FieldRange {
  readonly field: number;
  readonly start: number;
  readonly end: number;
}

/** The byte ranges of a message's fields, each with its field number, as protobufjs's reader skips them. */
function fieldRanges(bytes: Uint8Array): FieldRange[] {
  const ranges: FieldRange[] = [];
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    reader.skipType(tag & 7);
    ranges.push({ field: tag >>> 3, start, end: reader.pos });
  }
  return ranges;
}

/** The value of a length-delimited field, from its bytes: a tag, a length, then the value. */
function valueOf(fieldBytes: Uint8Array): Uint8Array {
  const reader = protobuf.Reader.create(fieldBytes);
  reader.uint32();
  return reader.bytes();
}

/**
 * The fields of the model's graph that the re-encoded graph lacks, as they
 * were written. The rewrite adds nodes and changes types but removes no
 * field, so a field the encoding lacks is one the schema does not know,
 * such as the graph's `metadata_props` (ONNX 1.16).
 */
function unknownGraphFields(modelBytes: Uint8Array, graphRanges: FieldRange[], encoded: Uint8Array): Uint8Array[] {
  const known = new Set(fieldRanges(encoded).map(({ field }) => field));
  // Protobuf merges a message written in several parts: each part of the graph may hold some.
  return graphRanges.flatMap(({ start, end }) => {
    const graphBytes = valueOf(modelBytes.subarray(start, end));
    return fieldRanges(graphBytes)
      .filter(({ field }) => !known.has(field))
      .map((range) => graphBytes.subarray(range.start, range.end));
  });
}

/**
 * The model's bytes with its graph replaced and every other field kept as
 * it was written: onnx-proto's schema (ONNX 1.10) drops the fields it does
 * not know when it encodes, such as a local function's attribute defaults
 * (ONNX 1.13). Only the graph, which the rewrite changes, is encoded anew,
 * and its own fields that the schema does not know are copied after it.
 */
function withGraph(modelBytes: Uint8Array, graph: GraphProto): Uint8Array {
  const ranges = fieldRanges(modelBytes);
  const kept = ranges
    .filter(({ field }) => field !== GRAPH_FIELD)
    .map(({ start, end }) => modelBytes.subarray(start, end));
  const graphRanges = ranges.filter(({ field }) => field === GRAPH_FIELD);
  const encoded = onnx.GraphProto.encode(graph).finish();
  const graphBytes = Buffer.concat([encoded, ...unknownGraphFields(modelBytes, graphRanges, encoded)]);
  const graphField = protobuf.Writer.create()
    .uint32((GRAPH_FIELD << 3) | LENGTH_DELIMITED)
    .bytes(graphBytes)
    .finish();
  return Buffer.concat([...kept, graphField]);
}

/**
 * Rewrites a model whose graph inputs or outputs are bfloat16; returns
 * undefined when it has none, so other models are left as they are.
 */
export function adaptBfloat16(modelBytes: Uint8Array): Bfloat16Adaptation | undefined {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  if (!graph) return undefined;
  // An input the graph gives a default (an initializer) is no input of the session: onnxruntime reads it as it is.
  const initialized = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  const inputs = (graph.input ?? []).filter((input) => isBfloat16(input) && !initialized.has(input.name));
  const outputs = (graph.output ?? []).filter(isBfloat16);
  if (inputs.length === 0 && outputs.length === 0) return undefined;

  const head: onnxProto.onnx.INodeProto[] = [];
  const tail: onnxProto.onnx.INodeProto[] = [];
  for (const input of inputs) {
    const internal = `${input.name}${INTERNAL_SUFFIX}`;
    renameUses(graph, input.name!, internal, false);
    head.push(castNode(input.name!, internal, BFLOAT16));
    input.type!.tensorType!.elemType = FLOAT;
  }
  const inputNames = new Set(inputs.map((input) => input.name));
  for (const output of outputs) {
    output.type!.tensorType!.elemType = FLOAT;
    // An output that is a graph input itself is that input, now float32 already: a cast would define it twice.
    if (inputNames.has(output.name)) continue;
    const internal = `${output.name}${INTERNAL_SUFFIX}`;
    renameUses(graph, output.name!, internal, true);
    tail.push(castNode(internal, output.name!, FLOAT));
  }
  graph.node = [...head, ...(graph.node ?? []), ...tail];
  return {
    modelBytes: withGraph(modelBytes, graph),
    inputs: new Set(inputs.map((input) => input.name!)),
    outputs: new Set(outputs.map((output) => output.name!)),
  };
}
