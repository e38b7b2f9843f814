import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { boundedAttributeValue } from './attribute-value.js';

/** The request id headers read, in order: KServe's and most proxies', then CloudEvents'. */
const REQUEST_ID_HEADERS = ['x-request-id', 'ce-id'] as const;
/** The header the request id is echoed in. */
const REQUEST_ID_RESPONSE_HEADER = 'x-request-id';

/**
 * A header's first non-empty value; an empty one counts as absent. Node
 * joins a repeated header's values with ', ' in `headers`, so a value with a
 * comma is looked up again in `headersDistinct`, which keeps them apart (only
 * then: it is built from every header of the request on first use).
 */
function headerValue(req: Request, name: string): string | undefined {
  const header = req.headers[name];
  if (typeof header !== 'string' || header === '') return undefined;
  return header.includes(',') ? req.headersDistinct[name]?.find((value) => value !== '') : header;
}

/** The id another middleware recording the same call has already echoed, if any. */
function echoedRequestId(res: Response): string | undefined {
  const echoed = res.getHeader(REQUEST_ID_RESPONSE_HEADER);
  return typeof echoed === 'string' ? echoed : undefined;
}

/**
 * The call's request id: the one its request headers carry, else the one
 * another middleware recording the call echoed, else a new UUID. Echoes it
 * in the answer's headers and returns it as the telemetry records it.
 */
export function echoRequestId(req: Request, res: Response): string {
  const sentId =
    headerValue(req, REQUEST_ID_HEADERS[0]) ??
    headerValue(req, REQUEST_ID_HEADERS[1]) ??
    echoedRequestId(res) ??
    randomUUID();
  // Echoed as sent, so the client finds its own id; the telemetry keeps no more than an attribute holds. Headers
  // already sent (flushed before the call reached the middleware) take no more, and the call is recorded all the same.
  if (!res.headersSent) res.setHeader(REQUEST_ID_RESPONSE_HEADER, sentId);
  return boundedAttributeValue(sentId);
}
