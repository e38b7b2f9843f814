import onnxProto from 'onnx-proto';
import {
  editedField,
  editFields,
  fieldString,
  lengthDelimitedField,
  lengthDelimitedHeader,
  messageFields,
  replaceFields,
  stringField,
  varintField,
} from './protobuf-fields.js';

// onnx-proto is CommonJS and builds its namespace at run time: only the default import works.
const { onnx } = onnxProto;
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

function nameOf(value: ValueInfoProto): string {
  return value.name ?? '';
}

/** GraphProto's fields that the rewrite reads or edits. */
const GRAPH_NODE = 1;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
/** NodeProto's fields that the rewrite edits: the names of the tensors a node reads and writes, and its attributes. */
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_ATTRIBUTE = 5;
/** AttributeProto's graph-valued fields: `g` (an If node's branches, a Loop's body) and `graphs`. */
const ATTRIBUTE_GRAPH = 6;
const ATTRIBUTE_GRAPHS = 11;
/** The path to a tensor's element type: ValueInfoProto's `type`, TypeProto's `tensor_type`, its `elem_type`. */
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR_TYPE = 1;
const TENSOR_TYPE_ELEM_TYPE = 1;
/** ModelProto's field number of its graph. */
const GRAPH_FIELD = 7;

/** New names for tensors: where they are read, and where the top-level graph's nodes write them. */
interface Renames {
  readonly uses: ReadonlyMap<string, string>;
  readonly definitions: ReadonlyMap<string, string>;
}

/** A node with its tensors renamed, in the graphs of its attributes too; other fields as written. */
function renamedNode(nodeBytes: Uint8Array, renames: Renames): Uint8Array {
  return replaceFields(nodeBytes, (field) => {
    const names =
      field.number === NODE_INPUT ? renames.uses : field.number === NODE_OUTPUT ? renames.definitions : undefined;
    if (names) {
      const to = names.get(fieldString(field) ?? '');
      return to === undefined ? undefined : stringField(field.number, to);
    }
    if (field.number !== NODE_ATTRIBUTE) return undefined;
    return editedField(field, (attribute) =>
      replaceFields(attribute, (value) =>
        value.number === ATTRIBUTE_GRAPH || value.number === ATTRIBUTE_GRAPHS
          ? editedField(value, (subgraph) => renamedGraph(subgraph, renames.uses))
          : undefined,
      ),
    );
  });
}

/**
 * A subgraph (an If, Loop or Scan body) with its reads of the outer graph's
 * tensors renamed; it defines none of them, as ONNX names each tensor once
 * in all scopes.
 */
function renamedGraph(graphBytes: Uint8Array, uses: ReadonlyMap<string, string>): Uint8Array {
  const renames = { uses, definitions: new Map<string, string>() };
  return editFields(graphBytes, GRAPH_NODE, (nodeBytes) => renamedNode(nodeBytes, renames));
}

/** A bfloat16 value info made float32: only its element type changes. */
function asFloat32(valueInfoBytes: Uint8Array): Uint8Array {
  return editFields(valueInfoBytes, VALUE_INFO_TYPE, (type) =>
    editFields(type, TYPE_TENSOR_TYPE, (tensorType) =>
      replaceFields(tensorType, (field) =>
        field.number === TENSOR_TYPE_ELEM_TYPE ? varintField(field.number, FLOAT) : undefined,
      ),
    ),
  );
}

/** A Cast node, as a field of its graph. */
function castNode(input: string, output: string, to: number): Uint8Array {
  const cast = onnx.NodeProto.encode({
    opType: 'Cast',
    input: [input],
    output: [output],
    name: `${output}_cast`,
    attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: to }],
  }).finish();
  return lengthDelimitedField(GRAPH_NODE, cast);
}

/**
 * The graph with the bfloat16 inputs and outputs made float32 and the
 * tensors renamed, every other field as it was written, so fields newer
 * than onnx-proto's schema (ONNX 1.10), such as a node's `overload` and the
 * `metadata_props` of nodes, values and initializers, come through. The
 * casts of the inputs come first, as ONNX wants nodes in topological order,
 * and those of the outputs last.
 */
function rewrittenGraph(
  graphBytes: Uint8Array,
  retyped: { readonly inputs: ReadonlySet<string>; readonly outputs: ReadonlySet<string> },
  renames: Renames,
  casts: { readonly head: readonly Uint8Array[]; readonly tail: readonly Uint8Array[] },
): Uint8Array {
  const rewritten = replaceFields(graphBytes, (field) => {
    switch (field.number) {
      case GRAPH_NODE:
        return editedField(field, (nodeBytes) => renamedNode(nodeBytes, renames));
      case GRAPH_INPUT:
      case GRAPH_OUTPUT: {
        const names = field.number === GRAPH_INPUT ? retyped.inputs : retyped.outputs;
        const name = field.payload && onnx.ValueInfoProto.decode(field.payload).name;
        return names.has(name ?? '') ? editedField(field, asFloat32) : undefined;
      }
      default:
        return undefined;
    }
  });
  return Buffer.concat([...casts.head, rewritten, ...casts.tail]);
}

/**
 * Rewrites a model whose graph inputs or outputs are bfloat16; returns
 * undefined when it has none, so other models are left as they are.
 */
export function adaptBfloat16(modelBytes: Uint8Array): Bfloat16Adaptation | undefined {
  const modelFields = messageFields(modelBytes);
  const graphParts = modelFields.filter((field) => field.number === GRAPH_FIELD && field.payload);
  if (graphParts.length === 0) return undefined;
  // Protobuf merges a message written in several parts: the graph is all of them, in order.
  const graphBytes =
    graphParts.length === 1 ? graphParts[0].payload! : Buffer.concat(graphParts.map((part) => part.payload!));
  const graph = onnx.GraphProto.decode(graphBytes);
  // An input the graph gives a default (an initializer) is no input of the session: onnxruntime reads it as it is.
  const initialized = new Set(graph.initializer.map((tensor) => tensor.name));
  const inputs = new Set(graph.input.filter((input) => isBfloat16(input) && !initialized.has(input.name)).map(nameOf));
  const outputs = new Set(graph.output.filter(isBfloat16).map(nameOf));
  if (inputs.size === 0 && outputs.size === 0) return undefined;

  const uses = new Map<string, string>();
  const definitions = new Map<string, string>();
  const head: Uint8Array[] = [];
  const tail: Uint8Array[] = [];
  for (const input of inputs) {
    const internal = `${input}${INTERNAL_SUFFIX}`;
    uses.set(input, internal);
    head.push(castNode(input, internal, BFLOAT16));
  }
  for (const output of outputs) {
    // An output that is a graph input itself is that input, now float32 already: a cast would define it twice.
    if (inputs.has(output)) continue;
    const internal = `${output}${INTERNAL_SUFFIX}`;
    uses.set(output, internal);
    definitions.set(output, internal);
    tail.push(castNode(internal, output, FLOAT));
  }
  const rewritten = rewrittenGraph(graphBytes, { inputs, outputs }, { uses, definitions }, { head, tail });
  // Every other field of the model is kept as written: onnx-proto's schema would drop those newer than it.
  const kept = modelFields.filter((field) => field.number !== GRAPH_FIELD).map((field) => field.bytes);
  return {
    modelBytes: Buffer.concat([...kept, lengthDelimitedHeader(GRAPH_FIELD, rewritten.length), rewritten]),
    inputs,
    outputs,
  };
}
