import type { Request, RequestHandler } from 'express';
import express from 'express';
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

const binaryParts = new WeakMap<object, Uint8Array>();

/** The bytes after the JSON header of a binary-extension body; empty when there are none. */
export function binaryPart(req: object): Uint8Array | undefined {
  return binaryParts.get(req);
}

function mediaType(req: Request): string | undefined {
  const header = req.headers['content-type'];
  return header?.split(';', 1)[0]!.trim();
}

function headerLength(req: Request): number | undefined {
  const header = req.get(INFERENCE_HEADER_CONTENT_LENGTH);
  if (header === undefined) return undefined;
  const length = Number(header);
  if (!Number.isInteger(length) || length < 0) {
    throw invalidRequest(`${INFERENCE_HEADER_CONTENT_LENGTH} must be a non-negative integer, got '${header}'`);
  }
  return length;
}

/**
 * Rejects bodies that are not JSON before reading them. A missing
 * Content-Type is read as JSON, as KServe and Triton clients often send
 * none, and so is curl's default.
 */
const checkMediaType: RequestHandler = (req, _res, next) => {
  const type = mediaType(req);
  const binary = req.headers[INFERENCE_HEADER_CONTENT_LENGTH] !== undefined;
  const readable =
    type === undefined ||
    type === '' ||
    type.toLowerCase() === CURL_DEFAULT_MEDIA_TYPE ||
    JSON_MEDIA_TYPE.test(type) ||
    (binary && BINARY_MEDIA_TYPE.test(type));
  if (readable) {
    next();
    return;
  }
  next(new InferenceError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json, got '${type}'`));
};

/**
 * Parses the body read by `express.raw` as JSON, splitting off the binary
 * tensor data when `Inference-Header-Content-Length` says where it starts.
 */
const parseJson: RequestHandler = (req, res, next) => {
  const raw: unknown = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    next(invalidRequest('the request body is empty; expected a JSON object'));
    return;
  }
  const jsonLength = headerLength(req) ?? raw.length;
  if (jsonLength > raw.length) {
    next(invalidRequest(`${INFERENCE_HEADER_CONTENT_LENGTH} is ${jsonLength}, but the body has ${raw.length} bytes`));
    return;
  }
  // The telemetry's request record reuses these bytes rather than serialising the parsed body again.
  captureRawBody(req, res, raw);
  try {
    req.body = JSON.parse(raw.toString('utf8', 0, jsonLength)) as unknown;
  } catch (error) {
    next(invalidRequest(`the request body is not valid JSON: ${(error as Error).message}`));
    return;
  }
  if (jsonLength < raw.length) binaryParts.set(req, raw.subarray(jsonLength));
  next();
};

/** Reads a predict or infer body: media type checked, size capped at `limit` bytes, JSON parsed. */
export function readBody(limit: number): RequestHandler[] {
  return [checkMediaType, express.raw({ type: () => true, limit }), parseJson];
}
