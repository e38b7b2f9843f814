import { decodeUtf8Prefix } from './truncate.js';
import type { ServerResponse } from 'node:http';

/** The bytes of an answer as they were written, kept up to a limit. */
export interface CapturedResponse {
  /** Every byte written, kept or not. */
  size: number;
  /**
   * The first bytes written, up to the limit. A UTF-8 string that fits is
   * kept as the string: the usual JSON answer is then neither encoded nor
   * decoded again.
   */
  chunks: (Buffer | string)[];
  kept: number;
}

function isUtf8(encoding: unknown): boolean {
  return encoding === undefined || encoding === 'utf8' || encoding === 'utf-8' || typeof encoding === 'function';
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string')
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return undefined;
}

/**
 * Records what the handler writes, by wrapping `write` and `end` of this
 * response only. The chunks are the bytes Express already serialised, so
 * the response record costs no second `JSON.stringify`; past `limit` bytes
 * only the count grows.
 */
export function captureResponse(res: ServerResponse, limit: number): CapturedResponse {
  const captured: CapturedResponse = { size: 0, chunks: [], kept: 0 };
  const record = (chunk: unknown, encoding: unknown): void => {
    if (typeof chunk === 'string' && isUtf8(encoding)) {
      const size = Buffer.byteLength(chunk);
      if (size <= limit - captured.kept) {
        captured.size += size;
        captured.chunks.push(chunk);
        captured.kept += size;
        return;
      }
    }
    const buffer = toBuffer(chunk, encoding);
    if (buffer === undefined) return;
    captured.size += buffer.byteLength;
    if (captured.kept < limit) {
      const part = buffer.byteLength <= limit - captured.kept ? buffer : buffer.subarray(0, limit - captured.kept);
      captured.chunks.push(part);
      captured.kept += part.byteLength;
    }
  };
  // Called with the response as `this`, unbound: binding would cost a function per call.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const write = res.write as (this: ServerResponse, ...args: unknown[]) => boolean;
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const end = res.end as (this: ServerResponse, ...args: unknown[]) => ServerResponse;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    record(chunk, rest[0]);
    return write.call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    // end(callback) has no chunk.
    if (typeof chunk !== 'function') record(chunk, rest[0]);
    return end.call(this, chunk, ...rest);
  } as ServerResponse['end'];
  return captured;
}

/**
 * The captured text; a character cut by the limit is left out. With
 * `length`, only that many leading bytes: the JSON part of a
 * binary-extension answer.
 */
export function capturedText(captured: CapturedResponse, length?: number): string {
  const { chunks } = captured;
  if (length === undefined && chunks.length === 1 && typeof chunks[0] === 'string') return chunks[0];
  const bytes =
    chunks.length === 1 && typeof chunks[0] !== 'string'
      ? chunks[0]
      : Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)));
  return decodeUtf8Prefix(length === undefined ? bytes : bytes.subarray(0, length));
}
