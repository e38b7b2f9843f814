import { decodeUtf8Prefix } from './truncate.js';
import type { ServerResponse } from 'node:http';

/** The bytes of an answer as they were written, kept up to a limit. */
export interface CapturedResponse {
  /** Every byte written, kept or not. */
  size: number;
  /** The first bytes written, up to the limit. */
  chunks: Buffer[];
  kept: number;
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
    const buffer = toBuffer(chunk, encoding);
    if (buffer === undefined) return;
    captured.size += buffer.byteLength;
    if (captured.kept < limit) {
      const part = buffer.byteLength <= limit - captured.kept ? buffer : buffer.subarray(0, limit - captured.kept);
      captured.chunks.push(part);
      captured.kept += part.byteLength;
    }
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    record(chunk, rest[0]);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    // end(callback) has no chunk.
    if (typeof chunk !== 'function') record(chunk, rest[0]);
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
  return captured;
}

/**
 * The captured text; a character cut by the limit is left out. With
 * `length`, only that many leading bytes: the JSON part of a
 * binary-extension answer.
 */
export function capturedText(captured: CapturedResponse, length?: number): string {
  const bytes = captured.chunks.length === 1 ? captured.chunks[0] : Buffer.concat(captured.chunks);
  return decodeUtf8Prefix(length === undefined ? bytes : bytes.subarray(0, length));
}
