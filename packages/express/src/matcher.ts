import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Request } from 'express';
import { PROTOCOL } from './semconv.js';
import { pathOf } from './request-path.js';
import type { PredictCall } from './types.js';

// The routes as Express matches them by default: letter case aside and with or without a trailing slash, so
// that every call an application's `app.post('/v2/models/:model/infer')` answers is recorded. Express matches
// the fixed segments as sent and decodes only its parameters: so do these. Model names keep their case.
/**
 * `/v1/models/<target>`, where KServe V1 writes `<model>:<verb>`: one
 * segment, which an application routes as one parameter (Express reads a
 * second colon in a route as another parameter) and splits once decoded.
 */
const KSERVE_V1 = /^\/v1\/models\/([^/]+)\/?$/i;
/**
 * The verbs after a V1 model that are calls, predict and explain, each with
 * its `http.route`: written once here rather than per call.
 */
const KSERVE_V1_ROUTES: ReadonlyMap<string, string> = new Map(
  ['predict', 'explain'].map((verb) => [verb, `/v1/models/{model}:${verb}`]),
);
/** `/v2/models/<model>[/versions/<version>]/infer`, Open Inference (V2) REST. */
const OPEN_INFERENCE_V2 = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer\/?$/i;
/** OpenAI's embeddings route, at the root or under `/openai`. */
const OPENAI_EMBEDDINGS = /^(\/openai)?\/v1\/embeddings\/?$/i;

/**
 * The scheme the client used: Express's `protocol`, which reads
 * `X-Forwarded-Proto` only when the app trusts its proxy (`trust proxy`),
 * else, for a plain `node:http` request, `https` over TLS and `http`
 * otherwise. A request without that header is answered from its socket
 * alone, as Express answers it: `protocol` reads the app's settings and the
 * connection's address, each one more read of the request.
 */
export function clientScheme(
  req: Partial<Pick<Request, 'protocol'>>,
  headers: IncomingHttpHeaders,
  socket: Socket | null,
): string {
  if (headers['x-forwarded-proto'] !== undefined) {
    // Read once: it is a getter, which asks the app's settings on each read.
    const { protocol } = req;
    if (typeof protocol === 'string') return protocol;
  }
  return (socket as Partial<TLSSocket> | null)?.encrypted === true ? 'https' : 'http';
}

/** A path segment decoded as Express decodes a parameter; a malformed escape keeps it as sent. */
function decoded(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * A V1 call from its decoded target, split at the last colon as a handler
 * of `/v1/models/:target` splits it: an escaped colon (`iris%3Apredict`)
 * reaches the handler as a colon, the model may hold colons and may be
 * empty (`/v1/models/:predict`), and the verb is read in any letter case.
 */
function kserveV1Call(target: string): PredictCall | undefined {
  const colon = target.lastIndexOf(':');
  if (colon < 0) return undefined;
  const operation = target.slice(colon + 1).toLowerCase();
  const route = KSERVE_V1_ROUTES.get(operation);
  if (route === undefined) return undefined;
  return { operation, model: target.slice(0, colon), protocol: PROTOCOL.KSERVE_V1, route };
}

/**
 * Recognises KServe V1 (`:predict`, `:explain`), Open Inference V2
 * (`/infer`) and OpenAI (`/embeddings`) calls by method and path; any
 * other request is left alone.
 */
export function defaultMatcher(req: Request): PredictCall | undefined {
  if (req.method !== 'POST') return undefined;
  // The path as routing sees it (relative to the router the middleware is mounted in), read from `url`
  // rather than Express's `req.path` so that a plain `node:http` handler can call this too.
  const path = pathOf(req.url);
  let match = KSERVE_V1.exec(path);
  if (match !== null) return kserveV1Call(decoded(match[1]));
  match = OPEN_INFERENCE_V2.exec(path);
  if (match !== null) {
    const version = match[2] === undefined ? undefined : decoded(match[2]);
    return {
      operation: 'infer',
      model: decoded(match[1]),
      version,
      protocol: PROTOCOL.OPEN_INFERENCE_V2,
      route: version === undefined ? '/v2/models/{model}/infer' : '/v2/models/{model}/versions/{version}/infer',
    };
  }
  match = OPENAI_EMBEDDINGS.exec(path);
  if (match !== null) {
    // The model is named in the body, read once the call is done.
    const route = match[1] === undefined ? '/v1/embeddings' : '/openai/v1/embeddings';
    return { operation: 'embeddings', model: undefined, protocol: PROTOCOL.OPENAI, route };
  }
  return undefined;
}
