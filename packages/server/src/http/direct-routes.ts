import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import type { InferenceTelemetry } from '@inferlens/express';
import { defaultMatcher, PROTOCOL } from '@inferlens/express';
import type { InferenceHandler } from '../protocols/handlers.js';
import { OPENAI_EMBEDDINGS_PATH } from '../protocols/openai-embeddings.js';

interface DirectRoutesOptions {
  readonly predict: InferenceHandler;
  readonly infer: InferenceHandler;
  /** OpenAI's embeddings, at {@link OPENAI_EMBEDDINGS_PATH}. */
  readonly embeddings: InferenceHandler;
  /** The telemetry middleware: it records each call as matched here, unless its matcher is a custom one. */
  readonly telemetry?: InferenceTelemetry | undefined;
}

/** Where the routed part of a target ends: at its query or its fragment. */
const QUERY_OR_FRAGMENT = /[?#]/;

/**
 * Whether every percent-escape in the path decodes. Express answers a route
 * parameter that does not with 400, where the default matcher keeps it as
 * sent: such a path is left to the app. The query and the fragment are not
 * routed, nor checked.
 */
function decodablePath(url: string): boolean {
  // Nearly every target has no escape at all: it needs no search for where its path ends.
  if (!url.includes('%')) return true;
  const end = url.search(QUERY_OR_FRAGMENT);
  const path = end < 0 ? url : url.slice(0, end);
  if (!path.includes('%')) return true;
  try {
    decodeURI(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The predict, infer and embeddings calls, answered on node's own request path. They
 * are the server's hot path: Express's per-request work (prototype swaps,
 * layer matching) costs several times what the inference itself does on a
 * small model. Routing uses the default matcher, and the telemetry records
 * each call as matched here rather than matching it again. A custom
 * `matcher` is written for Express's request (`req.path`, `req.get()`),
 * which this path does not build: with one, every call is left to the
 * Express app, whose middleware runs it. Returns false for any request it
 * leaves, which the Express app then answers.
 */
export function directRoutes({
  predict,
  infer,
  embeddings,
  telemetry,
}: DirectRoutesOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  if (telemetry !== undefined && telemetry.matcher !== defaultMatcher) return () => false;
  return (req, res) => {
    const call = defaultMatcher(req as Request);
    if (call === undefined) return false;
    let handler: InferenceHandler;
    if (call.protocol === PROTOCOL.KSERVE_V1 && call.operation === 'predict') handler = predict;
    else if (call.protocol === PROTOCOL.OPEN_INFERENCE_V2) handler = infer;
    // The matcher also knows OpenAI's root path; this server answers under /openai only.
    else if (call.protocol === PROTOCOL.OPENAI && call.route === OPENAI_EMBEDDINGS_PATH) handler = embeddings;
    else return false;
    if (!decodablePath(req.url!)) return false;
    // OpenAI names the model in the body, read by its handler.
    const target = { model: call.model ?? '', version: call.version };
    telemetry?.recordCall(req as Request, res as Response, call);
    void handler(req, res, target);
    return true;
  };
}
