import type { ServerResponse } from 'node:http';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Writes a JSON answer with node's own response methods, so that it works
 * the same from an Express route and from the server's direct predict path.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
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
  res.writeHead(status, { ...headers, 'content-length': bytes.byteLength });
  res.end(bytes);
}
