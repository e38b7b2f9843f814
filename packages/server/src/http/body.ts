import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { RawBodyError } from 'raw-body';
import getRawBody from 'raw-body';
import { captureRawBody } from '@inferlens/express';
import { INFERENCE_HEADER_CONTENT_LENGTH, InferenceError, invalidRequest } from '@inferlens/protocol';

/** application/json, and structured-syntax JSON types such as application/cloudevents+json. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/**
 * curl's `-d` sends this type by default, and KServe's and Triton's own
 * examples (`curl -d @input.json`) rely on their servers reading it as JSON.
 */
const CURL_DEFAULT_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/** The binary tensor data extension sends the JSON header and raw tensors in one octet stream. */
const BINARY_MEDIA_TYPE = /^application\/octet-stream$/i;

/** The `Content-Encoding`s a body may arrive in, and how each is undone. */
const DECODERS: ReadonlyMap<string, (() => Readable & NodeJS.WritableStream) | undefined> = new Map([
  ['identity', undefined],
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

/** A predict or infer body: the JSON part, and the binary tensor data after it, if any. */
interface InferenceBody {
  readonly json: unknown;
  readonly binary: Uint8Array | undefined;
}

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Rejects bodies that are not JSON before reading them. A missing
 * Content-Type is read as JSON, as KServe and Triton clients often send
 * none, and so is curl's default.
 */
function checkMediaType(headers: IncomingHttpHeaders): void {
  const type = headers['content-type']?.split(';', 1)[0]!.trim();
  const binary = headers[INFERENCE_HEADER_CONTENT_LENGTH] !== undefined;
  const readable =
    type === undefined ||
    type === '' ||
    type.toLowerCase() === CURL_DEFAULT_MEDIA_TYPE ||
    JSON_MEDIA_TYPE.test(type) ||
    (binary && BINARY_MEDIA_TYPE.test(type));
  if (!readable)
    throw new InferenceError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json, got '${type}'`);
}

function tooLarge(limit: number): InferenceError {
  return new InferenceError('PAYLOAD_TOO_LARGE', `the request body is larger than the limit of ${limit} bytes`);
}

const UNREADABLE = 'the request body could not be read';
const CLIENT_ABORTED = 'the client aborted';
const HTTP_SERVER_ERRORS = 500;

/** The error a failed read is answered with; raw-body names its own kinds in `type`, a decoder's errors have none. */
function readFailure(error: Error & Partial<RawBodyError>, limit: number): Error {
  if (error.type === 'entity.too.large') return tooLarge(limit);
  if (error.type === 'request.aborted') return invalidRequest(`${UNREADABLE}: ${CLIENT_ABORTED}`);
  // raw-body's 5xx kinds (a stream already read) are this server's fault, left to be logged as internal.
  if (error.status !== undefined && error.status >= HTTP_SERVER_ERRORS) return error;
  return invalidRequest(`${UNREADABLE}: ${error.message}`);
}

/**
 * Reads the whole body with raw-body, undoing its Content-Encoding, and
 * refuses it with 413 as soon as it passes `limit` bytes (decoded), before
 * all is read; an identity body whose Content-Length is over the limit is
 * refused before anything is read.
 */
async function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (firstHeader(req.headers, 'content-encoding') ?? 'identity').trim().toLowerCase();
  // A Map, not an object: a client's header must not reach `constructor` or `__proto__`.
  if (!DECODERS.has(encoding)) {
    throw new InferenceError('UNSUPPORTED_MEDIA_TYPE', `unsupported Content-Encoding '${encoding}'`);
  }
  const decoder = DECODERS.get(encoding)?.();
  if (decoder !== undefined) {
    req.pipe(decoder);
    // raw-body hears of an abort only from the stream it reads, and a decoder is not told of one.
    req.once('aborted', () => decoder.destroy(new Error(CLIENT_ABORTED)));
  }
  try {
    // Content-Length counts encoded bytes, so it is checked against the limit only for an identity body.
    return await getRawBody(decoder ?? req, {
      limit,
      length: decoder === undefined ? req.headers['content-length'] : null,
    });
  } catch (error) {
    // raw-body pauses the stream on failure; the rest is read off so that a keep-alive connection carries the next request.
    req.unpipe();
    decoder?.destroy();
    req.resume();
    throw readFailure(error as Error & Partial<RawBodyError>, limit);
  }
}

/**
 * Parses the body as JSON, splitting off the binary tensor data when
 * `Inference-Header-Content-Length` says where it starts.
 */
function parseBody(raw: Buffer, headers: IncomingHttpHeaders): InferenceBody {
  if (raw.length === 0) throw invalidRequest('the request body is empty; expected a JSON object');
  const header = firstHeader(headers, INFERENCE_HEADER_CONTENT_LENGTH);
  let jsonLength = raw.length;
  if (header !== undefined) {
    jsonLength = Number(header);
    if (!Number.isInteger(jsonLength) || jsonLength < 0) {
      throw invalidRequest(`${INFERENCE_HEADER_CONTENT_LENGTH} must be a non-negative integer, got '${header}'`);
    }
    if (jsonLength > raw.length) {
      throw invalidRequest(`${INFERENCE_HEADER_CONTENT_LENGTH} is ${jsonLength}, but the body has ${raw.length} bytes`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8', 0, jsonLength));
  } catch (error) {
    throw invalidRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  return { json, binary: jsonLength < raw.length ? raw.subarray(jsonLength) : undefined };
}

/**
 * Reads a predict or infer body: media type checked, size capped at
 * `limit` bytes, JSON parsed. The raw bytes are handed to the telemetry
 * (its request record reuses them) and the parsed body is left on
 * `req.body`, where Express middleware expects it.
 */
export async function readInferenceBody(
  req: IncomingMessage & { body?: unknown },
  res: ServerResponse,
  limit: number,
): Promise<InferenceBody> {
  checkMediaType(req.headers);
  const raw = await readRawBody(req, limit);
  captureRawBody(req, res, raw);
  const body = parseBody(raw, req.headers);
  req.body = body.json;
  return body;
}
