import { INFERENCE_HEADER_CONTENT_LENGTH, stringifyJson } from '@inferlens/protocol';
import { jsonPartLength } from './binary-extension.js';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { TextDecoder } from 'node:util';
import { callContextOf } from '../call-context.js';
import type { PayloadText } from './truncate.js';
import { decodeUtf8Prefix } from './truncate.js';

/**
 * An `express.json({ verify: captureRawBody })` hook (also usable with
 * `express.raw`): it keeps the bytes the parser read, so the request record
 * is those bytes rather than `JSON.stringify(req.body)`.
 */
export function captureRawBody(req: IncomingMessage, _res: unknown, buffer: Buffer): void {
  const context = callContextOf(req);
  if (context !== undefined) context.rawBody = buffer;
}

/**
 * What the records read of a request: its headers and its parsed body,
 * each read from the request once (see `openCallContext` on why reads of
 * a request cost).
 */
export interface RequestParts {
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/** The JSON part of the raw body: all of it, or what precedes a binary extension's tensor data. */
function requestJsonBytes(headers: IncomingHttpHeaders, raw: Buffer): Buffer {
  const jsonLength = jsonPartLength(headers[INFERENCE_HEADER_CONTENT_LENGTH]);
  return jsonLength === undefined || jsonLength >= raw.byteLength ? raw : raw.subarray(0, jsonLength);
}

/** The `charset` parameter of a Content-Type header. */
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;
/** The common spellings of UTF-8's label (the decoder knows the rest). */
const UTF8_LABEL = /^utf-?8$/i;

/**
 * The decoder of a body sent in a charset other than UTF-8 (body-parser
 * reads JSON sent in UTF-16 too), else undefined: UTF-8, the default, is
 * decoded as Buffers are, and so is a charset the runtime does not know.
 */
function otherCharsetDecoder(contentType: string | undefined): TextDecoder | undefined {
  const charset = contentType === undefined ? undefined : CHARSET.exec(contentType)?.[1];
  // The usual label is answered without building a decoder per request.
  if (charset === undefined || UTF8_LABEL.test(charset)) return undefined;
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    return undefined;
  }
  return decoder.encoding === 'utf-8' ? undefined : decoder;
}

/**
 * Bytes of a body in another charset decoded per byte a record keeps:
 * UTF-16 spends two on a character UTF-8 writes in one, and no charset a
 * decoder knows spends more.
 */
const MAX_BYTES_PER_UTF8_BYTE = 2;

/** The text of the first `maxBytes` UTF-8 bytes' worth of a body in another charset, read with `decoder`. */
function otherCharsetText(bytes: Buffer, decoder: TextDecoder, maxBytes: number): PayloadText {
  const room = maxBytes * MAX_BYTES_PER_UTF8_BYTE;
  if (bytes.byteLength <= room) return { text: decoder.decode(bytes), cut: false };
  // Streaming, the decoder leaves out a character cut short rather than writing U+FFFD for it.
  return { text: decoder.decode(bytes.subarray(0, room), { stream: true }), cut: true };
}

/**
 * The request payload as text: the body's bytes, the `raw` ones a parser
 * kept or the Buffer `express.raw()` left as the body (only the JSON part
 * of a binary-extension body), of which only the first `maxBytes` are
 * decoded, so a large body is not decoded whole to be cut; else the body
 * itself when it is a string, else the parsed body serialised (bigints as
 * JSON numbers with all their digits), empty and cut for one nested too
 * deep to serialise. Empty when there is no body. Bytes sent in another
 * charset than UTF-8 (the Content-Type's) are decoded from it.
 */
export function requestPayload(
  { headers, body }: RequestParts,
  raw: Buffer | undefined,
  maxBytes = Infinity,
): PayloadText {
  const bytes = raw ?? (Buffer.isBuffer(body) ? body : undefined);
  if (bytes !== undefined) {
    const json = requestJsonBytes(headers, bytes);
    const decoder = otherCharsetDecoder(headers['content-type']);
    if (decoder !== undefined) return otherCharsetText(json, decoder, maxBytes);
    if (json.byteLength <= maxBytes) return { text: json.toString('utf8'), cut: false };
    return { text: decodeUtf8Prefix(json.subarray(0, maxBytes)), cut: true };
  }
  try {
    return { text: parsedBodyText(body), cut: false };
  } catch (error) {
    // Nested deeper than JSON.stringify goes (JSON.parse has no such limit): none of it kept, and said so.
    if (error instanceof RangeError) return { text: '', cut: true };
    throw error;
  }
}

function parsedBodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (typeof body === 'object' && Object.keys(body).length === 0) return '';
  // stringifyJson, not JSON.stringify: a parser may have read integers past 2^53 as bigints.
  return stringifyJson(body);
}

/**
 * The request body's size in bytes as sent: `Content-Length`, else the
 * bytes kept (decoded, for a compressed chunked body), the `raw` ones or
 * the Buffer `express.raw()` left as the body, else 0 for a request without
 * a body. Undefined for a chunked body no parser kept: nothing said how
 * long it was.
 */
export function requestBodySize({ headers, body }: RequestParts, raw: Buffer | undefined): number | undefined {
  // Before the bytes kept: a parser hands those over decoded, and a compressed body was sent smaller.
  const length = Number(headers['content-length']);
  if (Number.isInteger(length) && length >= 0) return length;
  const kept = raw ?? (Buffer.isBuffer(body) ? body : undefined);
  if (kept !== undefined) return kept.byteLength;
  return headers['transfer-encoding'] === undefined ? 0 : undefined;
}
