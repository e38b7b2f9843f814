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
  /** The telemetry middleware; its matcher recognises the calls, and it records them as matched. */
  readonly telemetry?: InferenceTelemetry | undefined;
}

/**
 * The predict, infer and embeddings calls, answered on node's own request path. They
 * are the server's hot path: Express's per-request work (prototype swaps,
 * layer matching) costs several times what the inference itself does on a
 * small model. The calls are recognised by the telemetry's own matcher (the
 * default one without telemetry), so the two never disagree on what a
 * predict call is, and the telemetry records each as matched here rather
 * than matching it again. Returns false for any other request, which the
 * Express app then answers.
 */
export function directRoutes({
  predict,
  infer,
  embeddings,
  telemetry,
}: DirectRoutesOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const matcher = telemetry?.matcher ?? defaultMatcher;
  return (req, res) => {
    const call = matcher(req as Request);
    if (call === undefined) return false;
    let handler: InferenceHandler;
    if (call.protocol === PROTOCOL.KSERVE_V1 && call.operation === 'predict') handler = predict;
    else if (call.protocol === PROTOCOL.OPEN_INFERENCE_V2) handler = infer;
    // The matcher also knows OpenAI's root path; this server answers under /openai only.
    else if (call.protocol === PROTOCOL.OPENAI && call.route === OPENAI_EMBEDDINGS_PATH) handler = embeddings;
    else return false;
    // OpenAI names the model in the body, read by its handler.
    const target = { model: call.model ?? '', version: call.version };
    telemetry?.recordCall(req as Request, res as Response, call);
    void handler(req, res, target);
    return true;
  };
}
