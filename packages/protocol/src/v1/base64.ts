import { invalidInput } from '../errors.js';
import { isJsonObject } from '../json-object.js';

/** TensorFlow Serving's binary value: `{"b64": "<base64>"}`, an object with that one key. */
export function isBase64Value(value: unknown): value is { b64: string } {
  return isJsonObject(value) && typeof value['b64'] === 'string' && Object.keys(value).length === 1;
}

/** Fatal, as for V2 binary BYTES: onnxruntime's string tensors hold text, so other bytes cannot reach the model. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeBase64Text({ b64 }: { b64: string }, index: number, name: string): string {
  let binary: string;
  try {
    binary = atob(b64);
  } catch {
    throw invalidInput(`input '${name}': element ${index} is not valid base64`);
  }
  try {
    return UTF8.decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  } catch {
    throw invalidInput(`input '${name}': element ${index} is not valid UTF-8`);
  }
}

/**
 * Replaces each `{"b64": ...}` element of a BYTES input with the text it
 * encodes; other elements are left for the datatype check.
 */
export function decodeBase64Values(values: readonly unknown[], name: string): unknown[] {
  return values.map((value, index) => (isBase64Value(value) ? decodeBase64Text(value, index, name) : value));
}
