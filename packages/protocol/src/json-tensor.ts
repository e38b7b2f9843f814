import { f16round } from '@petamoriken/float16';
import type { Datatype, TensorValues } from './datatypes.js';
import { invalidInput } from './errors.js';
import { FloatToken } from './float-token.js';
import {
  float16BitsToNumber,
  fromBfloat16Bits,
  shortestFiniteFloat32,
  toBfloat16Bits,
  toFloat16Bits,
  widenBfloat16Bits,
} from './half-precision.js';

/** A nested JSON array flattened in row-major order, with the shape it had. */
export interface FlatData {
  readonly values: readonly unknown[];
  readonly shape: readonly number[];
}

/**
 * The deepest nesting read: numpy's limit on dimensions. Deeper data is
 * rejected before it is walked, so that it cannot exhaust the stack.
 */
export const MAX_TENSOR_RANK = 64;

/**
 * Flattens nested JSON arrays in row-major order and reads their shape,
 * rejecting ragged arrays. An already flat array is returned without a copy.
 */
export function flattenNested(data: readonly unknown[], name: string): FlatData {
  if (data.length === 0 || !Array.isArray(data[0])) {
    for (let i = 0; i < data.length; i++) {
      if (Array.isArray(data[i])) throw ragged(name, [i], 'a scalar', 'an array');
    }
    return { values: data, shape: [data.length] };
  }
  const shape: number[] = [data.length];
  for (let level: unknown = data[0]; Array.isArray(level); level = level[0]) {
    shape.push(level.length);
    if (shape.length > MAX_TENSOR_RANK) {
      throw invalidInput(`input '${name}': data nests deeper than ${MAX_TENSOR_RANK} levels`);
    }
  }
  const values: unknown[] = [];
  appendLevel(data, shape, 0, [], values, name);
  return { values, shape };
}

function appendLevel(
  level: readonly unknown[],
  shape: readonly number[],
  depth: number,
  path: number[],
  out: unknown[],
  name: string,
): void {
  const innermost = depth === shape.length - 1;
  for (let i = 0; i < level.length; i++) {
    const item = level[i];
    path.push(i);
    if (innermost) {
      if (Array.isArray(item)) throw ragged(name, path, 'a scalar', 'an array');
      out.push(item);
    } else {
      if (!Array.isArray(item)) throw ragged(name, path, `an array of ${shape[depth + 1]}`, 'a scalar');
      if (item.length !== shape[depth + 1]) {
        throw ragged(name, path, `${shape[depth + 1]} elements`, `${item.length}`);
      }
      appendLevel(item, shape, depth + 1, path, out, name);
    }
    path.pop();
  }
}

function ragged(name: string, path: readonly number[], expected: string, got: string): Error {
  return invalidInput(
    `input '${name}' is not a rectangular array: at [${path.join('][')}] expected ${expected}, got ${got}`,
  );
}

type IntegerDatatype = 'UINT8' | 'UINT16' | 'UINT32' | 'INT8' | 'INT16' | 'INT32';

/** Inclusive value ranges of the integer datatypes that fit a JS number. */
const INTEGER_RANGE: Record<IntegerDatatype, readonly [number, number]> = {
  UINT8: [0, 0xff],
  UINT16: [0, 0xffff],
  UINT32: [0, 0xffffffff],
  INT8: [-0x80, 0x7f],
  INT16: [-0x8000, 0x7fff],
  INT32: [-0x80000000, 0x7fffffff],
};

const INTEGER_ARRAY = {
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
} as const;

const INT64_RANGE = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const UINT64_RANGE = [0n, 2n ** 64n - 1n] as const;

/**
 * Reads flat JSON elements as the typed values of a datatype, checking each
 * element's JSON type and range; the message names the input and the index.
 */
export function decodeJsonValues(datatype: Datatype, values: readonly unknown[], name: string): TensorValues {
  switch (datatype) {
    case 'BOOL':
      return decodeBool(values, name);
    case 'BYTES':
      return decodeBytes(values, name);
    case 'FP32':
      return Float32Array.from(checkFloats(values, name, datatype));
    case 'FP64':
      return Float64Array.from(checkFloats(values, name, datatype));
    case 'FP16':
      return toFloat16Bits(checkFloats(values, name, datatype));
    case 'BF16':
      return toBfloat16Bits(checkFloats(values, name, datatype));
    case 'INT64':
      return BigInt64Array.from(checkBigIntegers(values, name, datatype, INT64_RANGE));
    case 'UINT64':
      return BigUint64Array.from(checkBigIntegers(values, name, datatype, UINT64_RANGE));
    default:
      return INTEGER_ARRAY[datatype].from(checkIntegers(values, name, datatype));
  }
}

function elementError(name: string, index: number, datatype: Datatype, value: unknown): Error {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return invalidInput(`input '${name}': element ${index} is ${shown}, which is not a valid ${datatype} value`);
}

type FloatDatatype = 'FP16' | 'BF16' | 'FP32' | 'FP64';

/** Whether a number stays finite when rounded to each float datatype; larger ones would become Infinity. */
const ROUNDS_TO_FINITE: Record<FloatDatatype, (value: number) => boolean> = {
  FP16: (value) => Number.isFinite(f16round(value)),
  BF16: (value) => Number.isFinite(fromBfloat16Bits(toBfloat16Bits([value]))[0]),
  FP32: (value) => Number.isFinite(Math.fround(value)),
  FP64: Number.isFinite,
};

/**
 * Checks float elements. An integer literal past 2^53 arrives as a bigint
 * (see `parseJsonText`) and is read as the nearest number, as JSON.parse
 * would; only then are the values copied. NaN and the infinities are taken
 * as sent (the tokens `parseJsonText` reads in tensor data, or a literal
 * past the double range, which JSON readers read as infinite); a finite
 * number the datatype would round to infinity is refused.
 */
function checkFloats(values: readonly unknown[], name: string, datatype: FloatDatatype): number[] {
  const roundsToFinite = ROUNDS_TO_FINITE[datatype];
  let out = values;
  for (let i = 0; i < values.length; i++) {
    let value = values[i];
    if (typeof value === 'bigint') {
      if (out === values) out = values.slice();
      value = (out as unknown[])[i] = Number(value);
    }
    if (typeof value !== 'number' || (!roundsToFinite(value) && Number.isFinite(value))) {
      throw elementError(name, i, datatype, values[i]);
    }
  }
  return out as number[];
}

function checkIntegers(values: readonly unknown[], name: string, datatype: IntegerDatatype): number[] {
  const [min, max] = INTEGER_RANGE[datatype];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw elementError(name, i, datatype, value);
    }
  }
  return values as number[];
}

function checkBigIntegers(
  values: readonly unknown[],
  name: string,
  datatype: 'INT64' | 'UINT64',
  [min, max]: readonly [bigint, bigint],
): bigint[] {
  const out = new Array<bigint>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    // An integer literal past 2^53 arrives as a bigint with all its digits (see `parseJsonText`); a
    // number past it was written with a fraction or an exponent (9007199254740993.5) and may be rounded.
    if (typeof value !== 'bigint' && !Number.isSafeInteger(value)) throw elementError(name, i, datatype, value);
    const big = BigInt(value as bigint | number);
    if (big < min || big > max) throw elementError(name, i, datatype, value);
    out[i] = big;
  }
  return out;
}

function decodeBool(values: readonly unknown[], name: string): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'boolean') throw elementError(name, i, 'BOOL', value);
    out[i] = value ? 1 : 0;
  }
  return out;
}

function decodeBytes(values: readonly unknown[], name: string): string[] {
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'string') throw elementError(name, i, 'BYTES', values[i]);
  }
  return values as string[];
}

/**
 * A JSON element of an answer: a bigint is a 64-bit integer past 2^53, and a
 * FloatToken a float's NaN, infinity or -0, both written by `stringifyJson`.
 */
export type JsonElement = number | bigint | boolean | string | FloatToken;

/** A 64-bit integer as a number where that is exact, else as itself. */
function exactInteger(value: bigint): number | bigint {
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value;
}

/** A float32 as its shortest decimal: the finiteness check it needs anyway is where a NaN or infinity branches off. */
function float32Element(value: number): number | FloatToken {
  if (value - value !== 0) return FloatToken.ofNonFinite(value);
  return Object.is(value, -0) ? FloatToken.NEGATIVE_ZERO : shortestFiniteFloat32(value);
}

/** A float as a JSON element: itself, or for NaN, the infinities and -0 their FloatToken. */
function floatElement(value: number): number | FloatToken {
  if (value - value !== 0) return FloatToken.ofNonFinite(value);
  return Object.is(value, -0) ? FloatToken.NEGATIVE_ZERO : value;
}

/**
 * Floats as JSON elements: one subtraction per value, and a -0 test per
 * finite one. A loop that pushes builds the array faster than Array.from
 * did (without the checks).
 */
function floatElements(values: ArrayLike<number>): JsonElement[] {
  const elements: JsonElement[] = [];
  for (let i = 0; i < values.length; i++) elements.push(floatElement(values[i]));
  return elements;
}

/** Halves' bits as JSON elements, by the same kind of loop as {@link floatElements}: Array.from takes about twice as long. */
function float16Elements(bits: Uint16Array): JsonElement[] {
  const elements: JsonElement[] = [];
  for (let i = 0; i < bits.length; i++) elements.push(floatElement(float16BitsToNumber(bits[i])));
  return elements;
}

/**
 * Writes typed values as flat JSON elements: float32 at float32 precision,
 * half-precision types as their numeric values, BOOL as booleans. 64-bit
 * integers stay exact: numbers up to 2^53, bigints past it. A float's NaN
 * or infinity, and a -0, is a FloatToken, which `stringifyJson` writes as
 * its token.
 */
export function encodeJsonValues(datatype: Datatype, values: TensorValues): JsonElement[] {
  switch (datatype) {
    case 'BOOL':
      return Array.from(values as Uint8Array, (v) => v !== 0);
    case 'BYTES':
      return values as string[];
    case 'FP32':
      return Array.from(values as Float32Array, float32Element);
    case 'FP64':
      return floatElements(values as Float64Array);
    case 'FP16':
      return float16Elements(values as Uint16Array);
    case 'BF16':
      // Exact: a bfloat16 is the top half of a float32.
      return floatElements(widenBfloat16Bits(values as Uint16Array));
    case 'INT64':
    case 'UINT64':
      return Array.from(values as BigInt64Array | BigUint64Array, exactInteger);
    default:
      return Array.from(values as Exclude<TensorValues, string[] | BigInt64Array | BigUint64Array | Float64Array>);
  }
}

/** Nests flat row-major elements into arrays of the given shape (the inverse of `flattenNested`). */
export function nestFlat<T>(values: readonly T[], shape: readonly number[]): unknown {
  if (shape.length === 0) return values[0];
  if (shape.length === 1) return values.length === shape[0] ? values : values.slice(0, shape[0]);
  return nestLevel(values, shape, 0, 0);
}

function nestLevel<T>(values: readonly T[], shape: readonly number[], depth: number, offset: number): unknown[] {
  const length = shape[depth];
  if (depth === shape.length - 1) return values.slice(offset, offset + length);
  let stride = 1;
  for (let i = depth + 1; i < shape.length; i++) stride *= shape[i];
  const out = new Array<unknown>(length);
  for (let i = 0; i < length; i++) out[i] = nestLevel(values, shape, depth + 1, offset + i * stride);
  return out;
}
