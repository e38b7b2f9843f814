import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { InferenceHandler } from '../protocols/handlers.js';

/** `POST /v1/models/<model>:predict`, query string allowed. */
const V1_PREDICT = /^\/v1\/models\/([^/:?]+):predict(?:\?|$)/;
/** `POST /v2/models/<model>[/versions/<version>]/infer`, query string allowed. */
const V2_INFER = /^\/v2\/models\/([^/?]+)(?:\/versions\/([^/?]+))?\/infer(?:\?|$)/;

export interface DirectRoutesOptions {
  readonly predict: InferenceHandler;
  readonly infer: InferenceHandler;
  /** The telemetry middleware, run first as it is in the Express app. */
  readonly telemetry?: RequestHandler | undefined;
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The predict and infer calls, answered on node's own request path. They
 * are the server's hot path: Express's per-request work (prototype swaps,
 * layer matching) costs several times what the inference itself does on a
 * small model. Returns false for any other request, which the Express app
 * then answers (metadata, health, errors for malformed paths).
 */
export function directRoutes({
  predict,
  infer,
  telemetry,
}: DirectRoutesOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST' || req.url === undefined) return false;
    let handler: InferenceHandler;
    let target: { model: string; version?: string | undefined };
    const v1 = V1_PREDICT.exec(req.url);
    const v2 = v1 === null ? V2_INFER.exec(req.url) : null;
    if (v1 !== null) {
      const model = decoded(v1[1]);
      if (model === undefined) return false;
      handler = predict;
      target = { model };
    } else if (v2 !== null) {
      const model = decoded(v2[1]);
      const version = v2[2] === undefined ? undefined : decoded(v2[2]);
      if (model === undefined || (v2[2] !== undefined && version === undefined)) return false;
      handler = infer;
      target = { model, version };
    } else {
      return false;
    }
    const run = (): void => void handler(req, res, target);
    if (telemetry === undefined) run();
    else telemetry(req as Parameters<RequestHandler>[0], res as Parameters<RequestHandler>[1], run);
    return true;
  };
}
