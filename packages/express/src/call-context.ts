import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallAnnotations } from './annotations.js';
import type { LoggedColumn } from './monitor.js';
import type { ResponseCapture } from './payload/response-capture.js';

/**
 * What a predict call gathers while the application handles it: the
 * application's annotations, the monitor columns its handler logged, and
 * the raw request body the parser read.
 */
export interface CallContext {
  /** The call's request and response: what the context is found by. */
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The contexts it is kept among (its connection's), which it leaves when it closes. */
  readonly open: CallContext[];
  /** The request's method, read from it once (an answer to HEAD carries no content). */
  readonly method: string;
  annotations: CallAnnotations | undefined;
  monitors: Map<string, LoggedColumn[]> | undefined;
  rawBody: Buffer | undefined;
  /**
   * The middleware instances recording the call: one that meets the
   * request again (mounted on the app and on a router) records it once.
   */
  recorders: object[] | undefined;
  /** The request id the first middleware recording the call took: a second one records the same. */
  requestId: string | undefined;
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
 * Where the contexts of the calls being recorded are kept: on their
 * connection's socket, under a symbol, each found by its request (a
 * connection carries one call at a time, or a few when the client
 * pipelines). Not on the request itself: under `app.listen`, Express changes
 * the prototype of each request, and V8 then makes a new map (hidden class)
 * for every property added to it, and reads every property of it through a
 * cache that has never seen that map; a socket's maps are shared by all
 * sockets. Not in a module-wide `WeakMap` either: such a map's table lives
 * long, so it is in V8's old space, and V8's young-generation collection
 * (Node.js 20) keeps every value of an old table alive, even one whose key
 * has died, so each call's context, its span and what they hold would
 * survive to old space and wait there for a full collection. A request
 * without a socket keeps its calls on itself. A request without a context
 * is not a call being recorded, and what is said about it is not kept.
 */
const CALLS = Symbol('inferlens.calls');

type CallHolder = object & { [CALLS]?: CallContext[] };

/** Where the calls of `req` are kept: its socket, else (a request made by hand) the request itself. */
function holderOf(req: IncomingMessage): CallHolder {
  return req.socket ?? req;
}

/** The open call whose request or response `of` is, among those `holder` keeps. */
function contextOf(holder: CallHolder, of: IncomingMessage | ServerResponse): CallContext | undefined {
  const calls = holder[CALLS];
  if (calls === undefined) return undefined;
  for (const open of calls) if (open.req === of || open.res === of) return open;
  return undefined;
}

/**
 * Opens the context of a predict call; the middleware does this when the
 * call arrives, and closes it ({@link closeCallContext}) when the call's
 * answer closes. A second middleware recording the same call shares the
 * first one's context, so both see what the application says.
 */
export function openCallContext(req: IncomingMessage, res: ServerResponse): CallContext {
  const holder = holderOf(req);
  const calls = (holder[CALLS] ??= []);
  for (const open of calls) if (open.req === req) return open;
  const context: CallContext = {
    req,
    res,
    open: calls,
    method: req.method ?? '',
    annotations: undefined,
    monitors: undefined,
    rawBody: undefined,
    recorders: undefined,
    requestId: undefined,
    capture: undefined,
    ended: false,
  };
  calls.push(context);
  return context;
}

/** The context of the predict call `req` carries, if it is one being recorded and its answer has not closed. */
export function callContextOf(req: IncomingMessage): CallContext | undefined {
  return contextOf(holderOf(req), req);
}

/**
 * The context of the predict call `res` answers, as {@link callContextOf}
 * finds it: through the response's socket, which it has unless it waits
 * behind an earlier answer on a pipelined connection (then its request's).
 */
export function responseCallContext(res: ServerResponse): CallContext | undefined {
  const socket = res.socket as CallHolder | null;
  return socket === null ? callContextOf(res.req) : contextOf(socket, res);
}

/**
 * Ends the call `context` is of: its answer has closed, and what is said
 * about it from now on is not kept. Each middleware recording the call
 * closes it; the first does it.
 */
export function closeCallContext(context: CallContext): void {
  if (context.ended) return;
  context.ended = true;
  context.capture = undefined;
  const index = context.open.indexOf(context);
  if (index >= 0) context.open.splice(index, 1);
}
