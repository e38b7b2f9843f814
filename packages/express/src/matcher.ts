import type { TLSSocket } from 'node:tls';
import type { Request } from 'express';
import { PROTOCOL } from './semconv.js';
import type { PredictCall } from './types.js';

// The routes as Express matches them by default: letter case aside and with or without a trailing slash, so
// that every call an application's `app.post('/v2/models/:model/infer')` answers is recorded. Model names keep
// their case.
/** `/v1/models/<model>:<verb>`, KServe V1's predict and explain; the model may hold colons, as Express's `:model` does. */
const KSERVE_V1 = /^\/v1\/models\/([^/]+):(predict|explain)\/?$/i;
/** `/v2/models/<model>[/versions/<version>]/infer`, Open Inference (V2) REST. */
const OPEN_INFERENCE_V2 = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer\/?$/i;
/** OpenAI's embeddings route, at the root or under `/openai`. */
const OPENAI_EMBEDDINGS = /^(\/openai)?\/v1\/embeddings\/?$/i;

/** A request target's path, without the query. */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  const target = query < 0 ? url : url.slice(0, query);
  return target.startsWith('/') ? target : absoluteFormPath(target);
}

/**
 * The path of an absolute-form target (`http://host:port/path`), which
 * HTTP/1.1 servers must accept and which clients send when they take the
 * server for a proxy: Express routes it by its path, so it is matched by
 * its path too. Any other target (`*`) is left as it is.
 */
function absoluteFormPath(target: string): string {
  const scheme = target.indexOf('://');
  if (scheme < 0) return target;
  const path = target.indexOf('/', scheme + '://'.length);
  return path < 0 ? '/' : target.slice(path);
}

/**
 * The path the client asked for, without the query: Express's
 * `originalUrl` keeps the mount prefix that routing takes off `url`; a
 * plain `node:http` request has only `url`.
 */
export function clientPath(req: Pick<Request, 'url'> & Partial<Pick<Request, 'originalUrl'>>): string {
  return pathOf(req.originalUrl ?? req.url);
}

/**
 * The scheme the client used: Express's `protocol`, which reads
 * `X-Forwarded-Proto` only when the app trusts its proxy (`trust proxy`),
 * else, for a plain `node:http` request, `https` over TLS and `http` otherwise.
 */
export function clientScheme(req: Pick<Request, 'socket'> & Partial<Pick<Request, 'protocol'>>): string {
  if (typeof req.protocol === 'string') return req.protocol;
  return (req.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http';
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
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
  if (match !== null) {
    const operation = match[2].toLowerCase();
    return {
      operation,
      model: decoded(match[1]),
      protocol: PROTOCOL.KSERVE_V1,
      route: `/v1/models/{model}:${operation}`,
    };
  }
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
