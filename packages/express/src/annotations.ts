import type { ErrorRequestHandler } from 'express';
import type { ServerResponse } from 'node:http';

/** What the application knows about a call that the middleware cannot see from the wire. */
export interface CallAnnotations {
  /** The model version that served the call. */
  modelVersion?: string;
  /** Seconds spent in the model runtime itself. */
  modelExecutionSeconds?: number;
  /** Rows in the batch, when the application has already counted them. */
  batchSize?: number;
  /** The error the call failed with; its message and type go on the span and the response record. */
  error?: unknown;
}

const ANNOTATIONS = Symbol.for('inferlens.callAnnotations');

interface Annotated {
  [ANNOTATIONS]?: CallAnnotations;
}

/** Adds to what is known about the call answered by `res`; later values win. */
export function annotateCall(res: ServerResponse, annotations: CallAnnotations): void {
  const target = res as Annotated;
  target[ANNOTATIONS] = { ...target[ANNOTATIONS], ...annotations };
}

export function callAnnotations(res: ServerResponse): CallAnnotations | undefined {
  return (res as Annotated)[ANNOTATIONS];
}

/**
 * An error middleware, mounted before the application's own error handler,
 * that records a handler's error on the call (its type and message then
 * reach the span and the response record) and passes it on unchanged.
 */
export function captureErrors(): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    annotateCall(res, { error });
    next(error);
  };
}
