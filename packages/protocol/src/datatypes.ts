/**
 * The tensor datatypes of the Open Inference (KServe V2) protocol, with the
 * size of one element in the binary tensor data extension. BYTES elements
 * have no fixed size: each is a 4-byte little-endian length and its bytes.
 */
export const DATATYPE_BYTE_SIZE = {
  BOOL: 1,
  UINT8: 1,
  UINT16: 2,
  UINT32: 4,
  UINT64: 8,
  INT8: 1,
  INT16: 2,
  INT32: 4,
  INT64: 8,
  FP16: 2,
  BF16: 2,
  FP32: 4,
  FP64: 8,
  BYTES: undefined,
} as const;

export type Datatype = keyof typeof DATATYPE_BYTE_SIZE;

/** Every datatype the protocol lists, in the specification's order. */
export const DATATYPES = Object.keys(DATATYPE_BYTE_SIZE) as readonly Datatype[];

export function isDatatype(value: unknown): value is Datatype {
  return typeof value === 'string' && Object.hasOwn(DATATYPE_BYTE_SIZE, value);
}

/**
 * The in-memory form of a tensor's elements, one typed array per datatype:
 * BOOL as 0/1 bytes, FP16 and BF16 as their 16-bit patterns, BYTES as
 * strings. These are the forms onnxruntime takes without another copy.
 */
export interface TensorValueMap {
  BOOL: Uint8Array;
  UINT8: Uint8Array;
  UINT16: Uint16Array;
  UINT32: Uint32Array;
  UINT64: BigUint64Array;
  INT8: Int8Array;
  INT16: Int16Array;
  INT32: Int32Array;
  INT64: BigInt64Array;
  FP16: Uint16Array;
  BF16: Uint16Array;
  FP32: Float32Array;
  FP64: Float64Array;
  BYTES: string[];
}

export type TensorValues = TensorValueMap[Datatype];

/** A decoded tensor: what a protocol adapter hands to a model. */
export interface Tensor {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  readonly values: TensorValues;
}

/** The number of elements a shape holds (1 for a scalar's empty shape). */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

/** The typed array that holds each fixed-size datatype's elements. */
export const TYPED_ARRAY_BY_DATATYPE = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP16: Uint16Array,
  BF16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
} as const;

/** Zero-filled values (empty strings for BYTES) of a datatype. */
export function zeroValues(datatype: Datatype, count: number): TensorValues {
  if (datatype === 'BYTES') return new Array<string>(count).fill('');
  return new TYPED_ARRAY_BY_DATATYPE[datatype](count);
}
