import { expect } from 'chai';
import { request as httpRequest } from 'node:http';

/** An answer whose body was read as JSON. */
export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON; `any` because tests read arbitrary fields of it and chai checks them. */
  readonly body: any;
}

/** Reads an answer's body as JSON. */
export async function readJson(response: Response): Promise<JsonResponse> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`expected a JSON answer, got ${response.status} ${JSON.stringify(text.slice(0, 200))}`);
  }
  return { status: response.status, headers: response.headers, body };
}

/** GET, answer read as JSON. */
export async function getJson(url: string): Promise<JsonResponse> {
  return readJson(await fetch(url));
}

/** POSTs a raw body with exactly the given headers (for content types and malformed bodies). */
export function post(url: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  // A copy: fetch takes only views of an ArrayBuffer (not of any ArrayBufferLike).
  return fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
}

/** POSTs `body` as JSON (`content-type: application/json` unless `headers` say otherwise); answer read as JSON. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  return readJson(await post(url, JSON.stringify(body), { 'content-type': 'application/json', ...headers }));
}

/** An answer read as text. */
export interface TextResponse {
  readonly status: number;
  readonly text: string;
}

/**
 * POSTs a JSON body to `origin` with the request target sent exactly as
 * written: fetch would drop a fragment, read backslashes as slashes and
 * never send a target in absolute form, all of which a server receives.
 */
export function postTarget(origin: string, target: string, body: string): Promise<TextResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, method: 'POST', path: target }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, text }));
    });
    request.on('error', reject);
    request.setHeader('content-type', 'application/json');
    request.end(body);
  });
}

/** POSTs a raw body and reads the answer as JSON. */
export async function postRaw(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  return readJson(await post(url, body, headers));
}

/** Where the binary tensor data starts after the JSON header. */
export interface HeaderPadding {
  /** Pads the JSON header with spaces to a multiple of this many bytes. */
  readonly alignTo?: number;
  /** Then adds this many more spaces. */
  readonly extraSpaces?: number;
}

/**
 * POSTs an infer request with the binary tensor data extension: the JSON
 * header, then each tensor's bytes, with `Inference-Header-Content-Length`.
 */
export function postBinary(
  url: string,
  header: unknown,
  tensors: readonly Uint8Array[],
  { alignTo = 1, extraSpaces = 0 }: HeaderPadding = {},
): Promise<Response> {
  const encoded = new TextEncoder().encode(JSON.stringify(header));
  const json = new Uint8Array(Math.ceil(encoded.byteLength / alignTo) * alignTo + extraSpaces).fill(0x20);
  json.set(encoded);
  return post(url, concatBytes([json, ...tensors]), {
    'content-type': 'application/octet-stream',
    'inference-header-content-length': String(json.byteLength),
  });
}

/** A binary-extension answer split into its JSON header and the bytes after it. */
export interface BinaryResponse {
  readonly status: number;
  readonly json: any;
  readonly binary: Uint8Array;
}

/** Splits an answer at its `Inference-Header-Content-Length` (the whole body is JSON without one). */
export async function readBinaryResponse(response: Response): Promise<BinaryResponse> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const header = response.headers.get('inference-header-content-length');
  const length = header === null ? bytes.byteLength : Number(header);
  const json: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(0, length)));
  return { status: response.status, json, binary: bytes.subarray(length) };
}

/** The parts, one after another, in one array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Asserts an error answer: the status, its JSON Content-Type, a body of exactly `{"error": string}`, and what the message says. */
export function expectError(response: JsonResponse, status: number, message: RegExp | string): void {
  expect(response.status, JSON.stringify(response.body)).to.equal(status);
  // Exactly this: KServe's SDK shows the message only then.
  expect(response.headers.get('content-type')).to.equal('application/json');
  expect(Object.keys(response.body as object)).to.deep.equal(['error']);
  expect(response.body.error).to.be.a('string');
  if (typeof message === 'string') expect(response.body.error).to.include(message);
  else expect(response.body.error).to.match(message);
}
