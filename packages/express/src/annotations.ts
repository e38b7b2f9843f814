import type { ErrorRequestHandler } from 'express';
import type { ServerResponse } from 'node:http';
import { responseCallContext } from './call-context.js';

/** What an embedding call gave, for the GenAI attributes and the response record's summary. */
export interface EmbeddingAnnotations {
  /** Tokens the model read over every input, as its tokenizer counts them. */
  inputTokens: number;
  /** The length of each returned vector. */
  dimension: number;
  /**
   * The L2 norm of each returned vector, in order, before any normalisation
   * (a unit vector's is 1); their count is the number of vectors.
   */
  norms: readonly number[];
  /** Inputs longer than the model's maximum sequence length, which were cut to it. */
  truncatedInputs: number;
  /** The encoding the client asked for (OpenAI's `encoding_format`), when the protocol has one. */
  encodingFormat?: string | undefined;
}

/**
 * How a call the server cut off is recorded. It wins over `error` and the
 * response's status, which the closing may still change: a body parser's
 * account of the connection lost, answered by an error handler.
 */
export interface CutOffAnnotation {
  /** Why it was cut off: its type and message go on the span and the response record. */
  error: unknown;
  /** The status recorded: the one its answer went out with once the headers were sent, else one saying why (503). */
  status: number;
}

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
  /**
   * Set just before the server closes the call's connection itself, the
   * call not ended (its shutdown timeout ran out): the call is then
   * recorded as broken off by the server, not by its client, even with its
   * request body still arriving.
   */
  cutOff?: CutOffAnnotation;
  /** Set when the call embedded texts: the span becomes `embeddings <model>` with the GenAI attributes. */
  embeddings?: EmbeddingAnnotations;
}

/**
 * Adds to what is known about the call answered by `res`; later values
 * win. Ignored when the middleware is not recording the call (not a
 * predict call, or no middleware), and once the call has ended (its answer
 * sent or its client gone): its telemetry is then recorded from what was
 * said until it ended.
 */
export function annotateCall(res: ServerResponse, annotations: CallAnnotations): void {
  const context = responseCallContext(res);
  if (context === undefined || context.ended) return;
  if (context.annotations === undefined) context.annotations = { ...annotations };
  else Object.assign(context.annotations, annotations);
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
