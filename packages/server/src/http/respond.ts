import type { ServerResponse } from 'node:http';
import { stringifyJson } from '@inferlens/protocol';

/**
 * JSON is UTF-8 and its media type defines no `charset` parameter (RFC 8259),
 * so none is sent, as KServe's and Triton's servers send none. KServe's
 * Python SDK reads an error's message only when the header is exactly this.
 */
const JSON_CONTENT_TYPE = 'application/json';

/**
 * Writes a JSON answer with node's own response methods, so that it works
 * the same from an Express route and from the server's direct predict path.
 * Every JSON answer goes through here: Express's `res.json` would add a charset
 * and refuse the bigints that carry 64-bit integers past 2^53.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = stringifyJson(body);
  res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Writes an answer of raw bytes. */
export function sendBytes(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  bytes: Buffer,
): void {
  res.writeHead(status, Object.assign({}, headers, { 'content-length': bytes.byteLength }));
  res.end(bytes);
}
