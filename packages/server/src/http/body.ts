import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import type { ZlibOptions } from 'node:zlib';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import type { RawBodyError } from 'raw-body';
import getRawBody from 'raw-body';
import { captureRawBody } from '@inferlens/express';
import type { JsonPathTest } from '@inferlens/protocol';
import {
  INFERENCE_HEADER_CONTENT_LENGTH,
  InferenceError,
  invalidRequest,
  parseJsonPartLength,
  parseJsonText,
} from '@inferlens/protocol';
import { loneSurrogateEscape } from './lone-surrogates.js';

/** application/json, and structured-syntax JSON types such as application/cloudevents+json. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/**
 * curl's `-d` sends this type by default, and KServe's and Triton's own
 * examples (`curl -d @input.json`) rely on their servers reading it as JSON.
 */
const CURL_DEFAULT_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/** The binary tensor data extension sends the JSON header and raw tensors in one octet stream. */
const BINARY_MEDIA_TYPE = /^application\/octet-stream$/i;

/** Undoes a `Content-Encoding`, refusing output past `maxOutputLength`. */
type Decoder = (body: Buffer, options: ZlibOptions) => Promise<Buffer>;

const gunzipBody: Decoder = promisify(gunzip);

/** The `Content-Encoding`s a body may arrive in, and how each is undone (identity, `null`: kept as it is). */
const DECODERS: ReadonlyMap<string, Decoder | null> = new Map<string, Decoder | null>([
  ['identity', null],
  ['gzip', gunzipBody],
  ['x-gzip', gunzipBody],
  ['deflate', promisify(inflate)],
  ['br', promisify(brotliDecompress)],
]);

/** A predict or infer body: the JSON part, and the binary tensor data after it, if any. */
interface InferenceBody {
  readonly json: unknown;
  readonly binary: Uint8Array | undefined;
}

/** How a route's body is read. */
export interface BodyFormat {
  /** Whether binary tensor data may follow the JSON (V2 infer). @default false */
  readonly binaryTensorData?: boolean;
  /**
   * Where the body holds tensor elements, which may be NaN, Infinity and
   * -Infinity there (`V1_TENSOR_DATA`, `V2_TENSOR_DATA`); elsewhere those
   * tokens are invalid JSON. @default nowhere
   */
  readonly tensorData?: JsonPathTest;
}

/** A body without tensor data: the tokens are invalid JSON everywhere in it. */
const NOWHERE: JsonPathTest = () => false;

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

/** What a failed read (raw-body names its kinds in `type`) or decode (zlib names its in `code`) throws. */
type ReadError = Error & Partial<RawBodyError> & { code?: string };

/**
 * The error a failed read or decode is answered with. raw-body's other
 * errors carry their HTTP status, which `sendError` answers by (a 4xx as
 * the client's, a 5xx as the server's); zlib's carry none, and are the
 * client's bytes.
 */
function readFailure(error: ReadError, limit: number): Error {
  if (error.type === 'entity.too.large' || error.code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(limit);
  if (error.type === 'request.aborted') return invalidRequest(`${UNREADABLE}: the client aborted`);
  return error.status === undefined ? invalidRequest(`${UNREADABLE}: ${error.message}`) : error;
}

/**
 * Reads the whole body with raw-body, then undoes its Content-Encoding.
 * `limit` bounds both the bytes sent (a Content-Length over it is refused
 * before anything is read) and the bytes decoded, so neither a large
 * upload nor a small one that inflates far can take more than `limit`.
 */
async function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (firstHeader(req.headers, 'content-encoding') ?? 'identity').trim().toLowerCase();
  // A Map, not an object: a client's header must not reach `constructor` or `__proto__`.
  const decode = DECODERS.get(encoding);
  if (decode === undefined) {
    throw new InferenceError('UNSUPPORTED_MEDIA_TYPE', `unsupported Content-Encoding '${encoding}'`);
  }
  let sent: Buffer;
  try {
    sent = await getRawBody(req, { limit, length: req.headers['content-length'] });
  } catch (error) {
    // raw-body stops reading on failure; the rest is read off so that a keep-alive connection carries the next request.
    req.resume();
    throw readFailure(error as ReadError, limit);
  }
  if (decode === null) return sent;
  try {
    return await decode(sent, { maxOutputLength: limit });
  } catch (error) {
    throw readFailure(error as ReadError, limit);
  }
}

/**
 * Parses the body as JSON (integers past 2^53 as bigints; NaN, Infinity
 * and -Infinity in tensor data as those numbers), splitting off
 * the binary tensor data when `Inference-Header-Content-Length` says
 * where it starts.
 */
function parseBody(
  raw: Buffer,
  headers: IncomingHttpHeaders,
  { binaryTensorData = false, tensorData = NOWHERE }: BodyFormat,
): InferenceBody {
  if (raw.length === 0) throw invalidRequest('the request body is empty; expected a JSON object');
  const header = firstHeader(headers, INFERENCE_HEADER_CONTENT_LENGTH);
  let jsonLength = raw.length;
  if (header !== undefined) {
    const parsed = parseJsonPartLength(header);
    if (parsed === undefined) {
      throw invalidRequest(`${INFERENCE_HEADER_CONTENT_LENGTH} must be a non-negative integer, got '${header}'`);
    }
    jsonLength = parsed;
    if (jsonLength > raw.length) {
      throw invalidRequest(`${INFERENCE_HEADER_CONTENT_LENGTH} is ${jsonLength}, but the body has ${raw.length} bytes`);
    }
    if (!binaryTensorData && jsonLength < raw.length) {
      throw invalidRequest(
        `the body holds ${raw.length - jsonLength} bytes after its JSON; binary tensor data (${INFERENCE_HEADER_CONTENT_LENGTH}) is for V2 infer only`,
      );
    }
  }
  const jsonPart = raw.subarray(0, jsonLength);
  // Read as it is, bytes that are no UTF-8 would become U+FFFD: a model would run on other text than was sent.
  if (!isUtf8(jsonPart)) throw invalidRequest('the request body is not valid UTF-8, which JSON text must be');
  const text = jsonPart.toString('utf8');
  let json: unknown;
  try {
    json = parseJsonText(text, tensorData);
  } catch (error) {
    // The lossless reader of 64-bit integers, or that of NaN and Infinity, recurses, and ran out of stack.
    if (error instanceof RangeError) throw invalidRequest('the request body is nested too deeply to read');
    throw invalidRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  const lone = loneSurrogateEscape(text);
  if (lone !== undefined) {
    throw invalidRequest(`the request body holds ${lone}, half a surrogate pair, which encodes no text`);
  }
  return { json, binary: jsonLength < raw.length ? raw.subarray(jsonLength) : undefined };
}

/**
 * Reads a predict or infer body: media type checked, size capped at
 * `limit` bytes, JSON parsed. The raw bytes are handed to the telemetry
 * (its request record reuses them) and the parsed body is left on
 * `req.body`, where Express middleware expects it. Binary tensor data
 * after the JSON is read only where `format` says the route takes it (V2
 * infer); elsewhere bytes after the JSON are refused, not dropped.
 */
export async function readInferenceBody(
  req: IncomingMessage & { body?: unknown },
  res: ServerResponse,
  limit: number,
  format: BodyFormat = {},
): Promise<InferenceBody> {
  checkMediaType(req.headers);
  const raw = await readRawBody(req, limit);
  captureRawBody(req, res, raw);
  const body = parseBody(raw, req.headers, format);
  req.body = body.json;
  return body;
}
