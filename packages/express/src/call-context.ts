import type { IncomingMessage } from 'node:http';
import type { CallAnnotations } from './annotations.js';
import type { LoggedColumn } from './monitor.js';

/**
 * What a predict call gathers while the application handles it: the
 * application's annotations, the monitor columns its handler logged, and
 * the raw request body the parser read.
 */
export interface CallContext {
  annotations: CallAnnotations | undefined;
  monitors: Map<string, LoggedColumn[]> | undefined;
  rawBody: Buffer | undefined;
  /**
   * The middleware instances recording the call: one that meets the
   * request again (mounted on the app and on a router) records it once.
   */
  recorders: object[] | undefined;
}

/**
 * One entry per predict call, kept beside the request rather than on it: a
 * property added to every request changes its shape and slows every later
 * access to it. A request without an entry is not a call being recorded,
 * and what is said about it is not kept.
 */
const contexts = new WeakMap<IncomingMessage, CallContext>();

/**
 * Opens the context of a predict call; the middleware does this when the
 * call arrives. A second middleware recording the same call shares the
 * first one's context, so both see what the application says.
 */
export function openCallContext(req: IncomingMessage): CallContext {
  let context = contexts.get(req);
  if (context === undefined) {
    context = { annotations: undefined, monitors: undefined, rawBody: undefined, recorders: undefined };
    contexts.set(req, context);
  }
  return context;
}

/** The context of the predict call `req` carries, if it is one being recorded. */
export function callContextOf(req: IncomingMessage): CallContext | undefined {
  return contexts.get(req);
}
