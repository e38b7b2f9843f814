/**
 * A small, typed builder for ONNX graphs on top of the onnx-proto message
 * classes. It covers what the demo models and the tests need (tensor value
 * infos, nodes with scalar/list attributes, raw-data initializers, and the
 * `ai.onnx.ml` nodes and sequence types of a scikit-learn classifier's
 * outputs) and nothing more; it is not a general ONNX authoring library.
 */

// onnx-proto is CommonJS and assigns its namespace at runtime, so Node's ESM
// loader cannot see a named `onnx` export: only the default import works.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Tensor element types, named as onnxruntime's JavaScript API names them. */
export type ElementType =
  | 'float32'
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'string'
  | 'bool'
  | 'float16'
  | 'float64'
  | 'uint32'
  | 'uint64'
  | 'bfloat16';

/** Element types whose values {@link initializer} can encode from JavaScript numbers. */
export type InitializerElementType = Exclude<ElementType, 'string' | 'float16' | 'bfloat16'>;

/** A tensor dimension: a fixed size, a symbolic name (e.g. 'batch'), or null for unknown. */
export type Dimension = number | string | null;

/** A graph input or output, as {@link valueInfo} creates it. */
export type ValueInfo = onnxProto.onnx.IValueInfoProto;
/** An operator invocation, as {@link node} creates it. */
export type GraphNode = onnxProto.onnx.INodeProto;
/** A constant tensor, as {@link initializer} creates it. */
export type Initializer = onnxProto.onnx.ITensorProto;

/** A float or float list attribute whose values must not be taken for integers. */
export interface FloatAttribute {
  readonly float: number | readonly number[];
}

/**
 * Attribute values: integral numbers encode as INT / INTS and other numbers as
 * FLOAT / FLOATS (wrap integral floats as `{ float: 1 }`);
 * an empty list encodes as INTS.
 */
export type AttributeValue = number | readonly number[] | string | FloatAttribute;

/** A graph as {@link encodeModel} takes it; initializers are optional. */
export interface GraphSpec {
  readonly name: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly nodes: readonly GraphNode[];
  readonly initializers?: readonly Initializer[];
}

export interface EncodeOptions {
  /** Version of the default ('ai.onnx') operator set; defaults to {@link DEFAULT_OPSET_VERSION}. */
  readonly opsetVersion?: number;
  /** Recorded in the model's producer_name; defaults to {@link DEFAULT_PRODUCER_NAME}. */
  readonly producerName?: string;
  /**
   * Version of the {@link ML_DOMAIN} operator set, which {@link mlNode}s
   * need; by default the model imports none.
   */
  readonly mlOpsetVersion?: number;
}

/** The domain of ONNX's classical machine-learning operators (ZipMap, LinearClassifier...). */
const ML_DOMAIN = 'ai.onnx.ml';

const DEFAULT_OPSET_VERSION = 17;
const DEFAULT_PRODUCER_NAME = 'inferlens';

const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

const DATA_TYPES: Readonly<Record<ElementType, onnxProto.onnx.TensorProto.DataType>> = {
  float32: DataType.FLOAT,
  uint8: DataType.UINT8,
  int8: DataType.INT8,
  uint16: DataType.UINT16,
  int16: DataType.INT16,
  int32: DataType.INT32,
  int64: DataType.INT64,
  string: DataType.STRING,
  bool: DataType.BOOL,
  float16: DataType.FLOAT16,
  float64: DataType.DOUBLE,
  uint32: DataType.UINT32,
  uint64: DataType.UINT64,
  bfloat16: DataType.BFLOAT16,
};

/** Writes one element at a byte offset; ONNX raw_data is little-endian regardless of the host. */
interface RawEncoding {
  readonly bytes: number;
  write(view: DataView, offset: number, value: number | bigint | boolean): void;
}

const LITTLE_ENDIAN = true;
const UTF8 = new TextEncoder();

const RAW_ENCODINGS: Readonly<Record<InitializerElementType, RawEncoding>> = {
  float32: {
    bytes: Float32Array.BYTES_PER_ELEMENT,
    write: (view, offset, value) => view.setFloat32(offset, Number(value), LITTLE_ENDIAN),
  },
  float64: {
    bytes: Float64Array.BYTES_PER_ELEMENT,
    write: (view, offset, value) => view.setFloat64(offset, Number(value), LITTLE_ENDIAN),
  },
  int8: {
    bytes: Int8Array.BYTES_PER_ELEMENT,
    write: (view, offset, value) => view.setInt8(offset, Number(value)),
  },
  uint8: {
    bytes: Uint8Array.BYTES_PER_ELEMENT,
    write: (view, offset, value) => view.setUint8(offset, Number(value)),
  },
  int16: {
    bytes: Int16Array.BYTES_PER_ELEMENT,
    write: (view, offset, value) => view.setInt16(offset, Number(value), LITTLE_ENDIAN),
  },
  uint16: {
    bytes: Uint16Array.BYTES_PER_ELEMENT,
    write: (view, offset, value) => view.setUint16(offset, Number(value), LITTLE_ENDIAN),
  },
  int32: {
    bytes: Int32Array.BYTES_PER_ELEMENT,
    write: (view, offset, value) => view.setInt32(offset, Number(value), LITTLE_ENDIAN),
  },
  uint32: {
    bytes: Uint32Array.BYTES_PER_ELEMENT,
    write: (view, offset, value) => view.setUint32(offset, Number(value), LITTLE_ENDIAN),
  },
  // BigInt() rejects fractional numbers instead of silently truncating them.
  int64: {
    bytes: BigInt64Array.BYTES_PER_ELEMENT,
    write: (view, offset, value) => view.setBigInt64(offset, BigInt(value), LITTLE_ENDIAN),
  },
  uint64: {
    bytes: BigUint64Array.BYTES_PER_ELEMENT,
    write: (view, offset, value) => view.setBigUint64(offset, BigInt(value), LITTLE_ENDIAN),
  },
  // ONNX stores each bool as one byte, 0 or 1.
  bool: {
    bytes: Uint8Array.BYTES_PER_ELEMENT,
    write: (view, offset, value) => view.setUint8(offset, value ? 1 : 0),
  },
};

/**
 * ONNX's release table, as the highest default-domain opset released with
 * each IR version: a model is stamped with the IR version its opset shipped
 * with. Models from this builder use only IR version 8 features (onnx-proto
 * carries the ONNX 1.10 schema), which later IR versions still accept, so
 * stamping a newer opset's IR version stays truthful.
 */
const IR_VERSION_BY_MAX_OPSET: ReadonlyArray<{ readonly maxOpset: number; readonly irVersion: number }> = [
  { maxOpset: 8, irVersion: 3 },
  { maxOpset: 9, irVersion: 4 },
  { maxOpset: 10, irVersion: 5 },
  { maxOpset: 11, irVersion: 6 },
  { maxOpset: 14, irVersion: 7 },
  { maxOpset: 18, irVersion: 8 },
  { maxOpset: 20, irVersion: 9 },
  { maxOpset: 22, irVersion: 10 },
  { maxOpset: 23, irVersion: 11 },
];

/** Returns the ONNX TensorProto.DataType number for an element type, e.g. for Cast's `to` attribute. */
export function dataType(type: ElementType): number {
  return DATA_TYPES[type];
}

/**
 * Describes a graph input or output tensor.
 * @param shape one entry per dimension: a size, a symbolic name such as 'batch', or null for unknown
 */
export function valueInfo(name: string, type: ElementType, shape: readonly Dimension[]): ValueInfo {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPES[type],
        shape: { dim: shape.map(toDimension) },
      },
    },
  });
}

/** Describes a graph input or output that is a sequence of tensors (not a tensor), of unknown shapes. */
export function sequenceValueInfo(name: string, type: ElementType): ValueInfo {
  return onnx.ValueInfoProto.create({
    name,
    type: { sequenceType: { elemType: { tensorType: { elemType: DATA_TYPES[type] } } } },
  });
}

/**
 * Describes a graph output that is a sequence of maps from `key` to
 * `value` scalars, as ZipMap gives: one map of class to probability per row.
 */
export function mapSequenceValueInfo(name: string, key: 'int64' | 'string', value: ElementType): ValueInfo {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      sequenceType: {
        elemType: { mapType: { keyType: DATA_TYPES[key], valueType: { tensorType: { elemType: DATA_TYPES[value] } } } },
      },
    },
  });
}

/**
 * Creates a node of the default ('ai.onnx') domain.
 * @param attributes encoded in insertion order; see {@link AttributeValue} for the kind each value gets
 * @param name optional node name, shown by onnxruntime in errors and profiles
 */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Readonly<Record<string, AttributeValue>> = {},
  name?: string,
): GraphNode {
  return onnx.NodeProto.create({
    opType,
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attributes).map(([key, value]) => toAttribute(key, value)),
    name,
  });
}

/** Creates a node of the {@link ML_DOMAIN} domain; the model must import it (see {@link EncodeOptions.mlOpsetVersion}). */
export function mlNode(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Readonly<Record<string, AttributeValue>> = {},
): GraphNode {
  return onnx.NodeProto.create({ ...node(opType, inputs, outputs, attributes), domain: ML_DOMAIN });
}

/**
 * Creates a constant tensor stored as little-endian raw_data.
 * @param dims tensor shape; the number of values must equal its product
 * @param values numbers (bigints are accepted for 64-bit integers, booleans for bool)
 */
export function initializer(
  name: string,
  type: InitializerElementType,
  dims: readonly number[],
  values: ArrayLike<number | bigint | boolean>,
): Initializer {
  const count = dims.reduce((product, dim) => product * dim, 1);
  if (values.length !== count) {
    throw new RangeError(`initializer ${name}: ${values.length} values for dims [${dims.join(', ')}]`);
  }
  const encoding = RAW_ENCODINGS[type];
  const rawData = new Uint8Array(count * encoding.bytes);
  const view = new DataView(rawData.buffer);
  for (let i = 0; i < count; i++) {
    encoding.write(view, i * encoding.bytes, values[i]);
  }
  return onnx.TensorProto.create({ name, dataType: DATA_TYPES[type], dims: [...dims], rawData });
}

/**
 * Creates a float32 constant whose values live outside the model, in ONNX's
 * external data layout: `location` names a file beside the model (relative
 * to its folder) that holds them as little-endian raw bytes from offset 0.
 * Large models (over protobuf's 2 GB limit) are saved this way.
 */
export function externalInitializer(name: string, dims: readonly number[], location: string): Initializer {
  const byteLength = dims.reduce((product, dim) => product * dim, 1) * Float32Array.BYTES_PER_ELEMENT;
  return onnx.TensorProto.create({
    name,
    dataType: DATA_TYPES.float32,
    dims: [...dims],
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: location },
      { key: 'offset', value: '0' },
      { key: 'length', value: String(byteLength) },
    ],
  });
}

/**
 * Serialises a graph into an ONNX model, with the IR version that matches the opset.
 * @throws RangeError for an opset version outside ONNX's release table (1 to 23)
 */
export function encodeModel(graph: GraphSpec, options: EncodeOptions = {}): Uint8Array {
  const opsetVersion = options.opsetVersion ?? DEFAULT_OPSET_VERSION;
  const model = onnx.ModelProto.create({
    irVersion: irVersionFor(opsetVersion),
    opsetImport: [
      { domain: '', version: opsetVersion },
      ...(options.mlOpsetVersion === undefined ? [] : [{ domain: ML_DOMAIN, version: options.mlOpsetVersion }]),
    ],
    producerName: options.producerName ?? DEFAULT_PRODUCER_NAME,
    graph: {
      name: graph.name,
      input: [...graph.inputs],
      output: [...graph.outputs],
      node: [...graph.nodes],
      initializer: [...(graph.initializers ?? [])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Builds a model whose single Identity node copies tensor `input` to tensor `output`. */
export function identityModel(type: ElementType, shape: readonly Dimension[]): Uint8Array {
  return encodeModel({
    name: `identity_${type}`,
    inputs: [valueInfo('input', type, shape)],
    outputs: [valueInfo('output', type, shape)],
    nodes: [node('Identity', ['input'], ['output'])],
  });
}

function toDimension(dim: Dimension): onnxProto.onnx.TensorShapeProto.IDimension {
  if (dim === null) {
    return {};
  }
  return typeof dim === 'string' ? { dimParam: dim } : { dimValue: dim };
}

function toAttribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  if (typeof value === 'string') {
    return { name, type: AttributeType.STRING, s: UTF8.encode(value) };
  }
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? { name, type: AttributeType.INT, i: value }
      : { name, type: AttributeType.FLOAT, f: value };
  }
  if (isFloatAttribute(value)) {
    return typeof value.float === 'number'
      ? { name, type: AttributeType.FLOAT, f: value.float }
      : { name, type: AttributeType.FLOATS, floats: [...value.float] };
  }
  return value.every(Number.isInteger)
    ? { name, type: AttributeType.INTS, ints: [...value] }
    : { name, type: AttributeType.FLOATS, floats: [...value] };
}

function isFloatAttribute(value: readonly number[] | FloatAttribute): value is FloatAttribute {
  return !Array.isArray(value);
}

function irVersionFor(opsetVersion: number): number {
  const entry =
    Number.isInteger(opsetVersion) && opsetVersion >= 1
      ? IR_VERSION_BY_MAX_OPSET.find(({ maxOpset }) => opsetVersion <= maxOpset)
      : undefined;
  if (entry === undefined) {
    throw new RangeError(`unsupported opset version ${opsetVersion}`);
  }
  return entry.irVersion;
}
