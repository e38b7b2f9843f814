import { invalidInput } from '../errors.js';
import { isJsonObject } from '../json-object.js';
import { decodeUtf8Element } from '../utf8.js';

/** TensorFlow Serving's binary value: `{"b64": "<base64>"}`, an object with that one key. */
export function isBase64Value(value: unknown): value is { b64: string } {
  return isJsonObject(value) && typeof value['b64'] === 'string' && Object.keys(value).length === 1;
}

function decodeBase64Text({ b64 }: { b64: string }, index: number, name: string): string {
  let binary: string;
  try {
    binary = atob(b64);
  } catch {
    throw invalidInput(`input '${name}': element ${index} is not valid base64`);
  }
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return decodeUtf8Element(bytes, name, 'element', index);
}

/**
 * Replaces each `{"b64": ...}` element of a BYTES input with the text it
 * encodes; other elements are left for the datatype check.
 */
export function decodeBase64Values(values: readonly unknown[], name: string): unknown[] {
  return values.map((value, index) => (isBase64Value(value) ? decodeBase64Text(value, index, name) : value));
}
