import { invalidInput } from './errors.js';

/**
 * Fatal: onnxruntime's string tensors hold text, so bytes that are not UTF-8
 * cannot reach the model as sent, and replacing them with U+FFFD would run it
 * on other data than the client's. A leading BOM is kept, as it was sent.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The text of element `index` of input `name`, sent as bytes (V1 base64,
 * V2 binary BYTES). Bytes that are not UTF-8 are an invalid input, which
 * names the element as `<element> <index>`: each protocol's word for it.
 */
export function decodeUtf8Element(bytes: Uint8Array, name: string, element: string, index: number): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw invalidInput(`input '${name}': ${element} ${index} is not valid UTF-8`);
  }
}
