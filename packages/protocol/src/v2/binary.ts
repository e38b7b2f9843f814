import type { Datatype, TensorValues } from '../datatypes.js';
import { DATATYPE_BYTE_SIZE, TYPED_ARRAY_BY_DATATYPE } from '../datatypes.js';
import { invalidInput } from '../errors.js';
import { decodeUtf8Element } from '../utf8.js';

/** Each BYTES element is prefixed by its length as a 4-byte little-endian integer. */
const BYTES_LENGTH_PREFIX = 4;

/**
 * Reads a tensor sent with the binary tensor data extension: fixed-size
 * elements in little-endian order, or length-prefixed BYTES elements.
 * The bytes are copied once so that the typed array is aligned.
 */
export function decodeBinaryValues(datatype: Datatype, bytes: Uint8Array, count: number, name: string): TensorValues {
  if (datatype === 'BYTES') return decodeBinaryStrings(bytes, count, name);
  const size = DATATYPE_BYTE_SIZE[datatype];
  if (bytes.byteLength !== count * size) {
    throw invalidInput(
      `input '${name}': expected ${count * size} bytes of binary data for ${count} ${datatype} elements, got ${bytes.byteLength}`,
    );
  }
  // A copy, so the typed array starts aligned (a Buffer's slice() would be a view, not a copy).
  const aligned = new Uint8Array(bytes);
  const values = new TYPED_ARRAY_BY_DATATYPE[datatype](aligned.buffer, aligned.byteOffset, count);
  if (datatype === 'BOOL' && values.some((v) => v > 1)) {
    throw invalidInput(`input '${name}': BOOL elements must be 0 or 1`);
  }
  return values;
}

function decodeBinaryStrings(bytes: Uint8Array, count: number, name: string): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    if (offset + BYTES_LENGTH_PREFIX > bytes.byteLength) break;
    const length = view.getUint32(offset, true);
    offset += BYTES_LENGTH_PREFIX;
    if (offset + length > bytes.byteLength) break;
    out.push(decodeUtf8Element(bytes.subarray(offset, offset + length), name, 'BYTES element', out.length));
    offset += length;
  }
  if (offset !== bytes.byteLength || out.length !== count) {
    throw invalidInput(
      `input '${name}': binary BYTES data does not hold ${count} length-prefixed elements (read ${out.length})`,
    );
  }
  return out;
}

/** Writes typed values in the binary tensor data extension's layout. */
export function encodeBinaryValues(datatype: Datatype, values: TensorValues): Uint8Array {
  if (datatype === 'BYTES') return encodeBinaryStrings(values as string[]);
  const typed = values as Exclude<TensorValues, string[]>;
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

function encodeBinaryStrings(values: readonly string[]): Uint8Array {
  const encoder = new TextEncoder();
  const encoded = values.map((value) => encoder.encode(value));
  const total = encoded.reduce((sum, item) => sum + BYTES_LENGTH_PREFIX + item.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const item of encoded) {
    view.setUint32(offset, item.byteLength, true);
    out.set(item, offset + BYTES_LENGTH_PREFIX);
    offset += BYTES_LENGTH_PREFIX + item.byteLength;
  }
  return out;
}
