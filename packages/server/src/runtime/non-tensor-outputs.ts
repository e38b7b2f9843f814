/**
 * Graph outputs that are not tensors, which the server leaves out: onnxruntime's
 * JavaScript API cannot hand them over, and the protocols carry only tensors.
 * The most common is the sequence of maps that skl2onnx's ZipMap adds to a
 * classifier by default, beside a label tensor that is served.
 */
import onnxProto from 'onnx-proto';
import { fieldString, messageFields } from './protobuf-fields.js';

// onnx-proto is CommonJS and builds its namespace at run time: only the default import works.
const { onnx } = onnxProto;
type TypeProto = onnxProto.onnx.ITypeProto;

/** A graph output that is not served, and why, in words for a log line or an error answer. */
export interface LeftOutOutput {
  readonly name: string;
  /** `it is a sequence of maps, not a tensor`, with advice where the graph's converter offers a tensor instead. */
  readonly reason: string;
}

/** ModelProto's field of its graph; GraphProto's of its nodes and outputs; NodeProto's that name what a node is. */
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_OUTPUT = 12;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const NODE_DOMAIN = 7;

/** The node skl2onnx ends a classifier's probabilities with, unless converted without it. */
const ZIPMAP = { opType: 'ZipMap', domain: 'ai.onnx.ml' } as const;
const ZIPMAP_ADVICE =
  "a ZipMap node's: convert the classifier with skl2onnx's options={id(model): {'zipmap': False}} to get its probabilities as a float tensor";

/** A type's name, singular and plural, for `a sequence of maps`. */
interface Noun {
  readonly one: string;
  readonly many: string;
}

function nounOf(type: TypeProto | null | undefined): Noun {
  if (type?.tensorType) return { one: 'tensor', many: 'tensors' };
  if (type?.sparseTensorType) return { one: 'sparse tensor', many: 'sparse tensors' };
  if (type?.mapType) return { one: 'map', many: 'maps' };
  if (type?.sequenceType) {
    const of = nounOf(type.sequenceType.elemType).many;
    return { one: `sequence of ${of}`, many: `sequences of ${of}` };
  }
  if (type?.optionalType) {
    const of = nounOf(type.optionalType.elemType);
    return { one: `optional ${of.one}`, many: `optional ${of.many}` };
  }
  // A type newer than onnx-proto's schema (ONNX 1.10).
  return { one: 'value of a type this server does not know', many: 'values of a type this server does not know' };
}

function withArticle(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}

/** Whether a node, as written, is of `opType` in `domain` and writes `output`. */
function nodeMakes(nodeBytes: Uint8Array, output: string, { opType, domain }: typeof ZIPMAP): boolean {
  const fields = messageFields(nodeBytes);
  const text = (number: number): string[] => fields.filter((f) => f.number === number).map((f) => fieldString(f) ?? '');
  return text(NODE_OP_TYPE)[0] === opType && text(NODE_DOMAIN)[0] === domain && text(NODE_OUTPUT).includes(output);
}

/**
 * Why each of `names`, graph outputs that onnxruntime says are not tensors,
 * is left out, read from the model's bytes: onnxruntime's metadata does not
 * say what they are. Only the graph's outputs and nodes are decoded, not its
 * weights.
 */
export function describeLeftOutOutputs(modelBytes: Uint8Array, names: readonly string[]): LeftOutOutput[] {
  const graph = messageFields(modelBytes).find((field) => field.number === MODEL_GRAPH)?.payload;
  const graphFields = graph === undefined ? [] : messageFields(graph);
  const outputs = graphFields
    .filter((field) => field.number === GRAPH_OUTPUT && field.payload !== undefined)
    .map((field) => onnx.ValueInfoProto.decode(field.payload!));
  const nodes = graphFields.filter((field) => field.number === GRAPH_NODE && field.payload !== undefined);
  return names.map((name) => {
    const noun = nounOf(outputs.find((output) => output.name === name)?.type).one;
    const zipMap = nodes.some((field) => nodeMakes(field.payload!, name, ZIPMAP));
    return { name, reason: `it is ${withArticle(noun)}, not a tensor${zipMap ? ` (${ZIPMAP_ADVICE})` : ''}` };
  });
}

/** `output 'a': <reason>; output 'b': <reason>`, for a log line or a load failure. */
export function listLeftOutOutputs(outputs: readonly LeftOutOutput[]): string {
  return outputs.map(({ name, reason }) => `output '${name}': ${reason}`).join('; ');
}
