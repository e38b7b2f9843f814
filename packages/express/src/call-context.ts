import type { IncomingMessage } from 'node:http';
import type { CallAnnotations } from './annotations.js';
import type { LoggedColumn } from './monitor.js';
import type { ResponseCapture } from './payload/response-capture.js';

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
  /** What is written to the answer, kept for the records (see `captureResponse`); each recorder's, chained. */
  capture: ResponseCapture | undefined;
  /**
   * Set when the call's response closes: its telemetry is recorded from
   * what was gathered until then, and what the application says later is
   * not kept.
   */
  ended: boolean;
}

/**
 * Where a request being recorded keeps its context: on the request, under a
 * symbol, rather than in a module-wide `WeakMap`. Such a map's table lives
 * long, so it is in V8's old space, and V8's young-generation collection
 * (Node.js 20) keeps every value of an old table alive, even one whose key
 * has died: each call's context, its span and what they hold would survive
 * to old space and wait there for a full collection. A request without a
 * context is not a call being recorded, and what is said about it is not kept.
 */
const CALL_CONTEXT = Symbol('inferlens.callContext');

type RecordedRequest = IncomingMessage & { [CALL_CONTEXT]?: CallContext };

/**
 * Opens the context of a predict call; the middleware does this when the
 * call arrives. A second middleware recording the same call shares the
 * first one's context, so both see what the application says.
 */
export function openCallContext(req: IncomingMessage): CallContext {
  const recorded = req as RecordedRequest;
  return (recorded[CALL_CONTEXT] ??= {
    annotations: undefined,
    monitors: undefined,
    rawBody: undefined,
    recorders: undefined,
    capture: undefined,
    ended: false,
  });
}

/** The context of the predict call `req` carries, if it is one being recorded. */
export function callContextOf(req: IncomingMessage): CallContext | undefined {
  return (req as RecordedRequest)[CALL_CONTEXT];
}
