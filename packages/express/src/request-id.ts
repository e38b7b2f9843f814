import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Request, Response } from 'express';
import { boundedAttributeValue } from './attribute-value.js';
import type { CallContext } from './call-context.js';

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
function headerValue(req: Request, headers: IncomingHttpHeaders, name: string): string | undefined {
  const header = headers[name];
  if (typeof header !== 'string' || header === '') return undefined;
  return header.includes(',') ? req.headersDistinct[name]?.find((value) => value !== '') : header;
}

/**
 * The call's request id: the one its request headers (`req.headers`, read
 * once by the caller) carry, else the one another instance recording the
 * same call took (its context's), else a new UUID. Notes it in the context,
 * echoes it in the answer's headers, and returns it as the telemetry
 * records it.
 */
export function echoRequestId(req: Request, headers: IncomingHttpHeaders, res: Response, context: CallContext): string {
  const sentId =
    headerValue(req, headers, REQUEST_ID_HEADERS[0]) ??
    headerValue(req, headers, REQUEST_ID_HEADERS[1]) ??
    context.requestId ??
    randomUUID();
  context.requestId = sentId;
  // Echoed as sent, so the client finds its own id; the telemetry keeps no more than an attribute holds.
  try {
    res.setHeader(REQUEST_ID_RESPONSE_HEADER, sentId);
  } catch (error) {
    // Headers already sent (flushed before the call reached the middleware) take no more, and the call is recorded
    // all the same. Asked of Node.js by trying rather than beforehand: `headersSent` is one more read of the response.
    if ((error as { code?: unknown }).code !== 'ERR_HTTP_HEADERS_SENT') throw error;
  }
  return boundedAttributeValue(sentId);
}
