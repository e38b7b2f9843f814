import type { ServerResponse } from 'node:http';
import { Node, Yallist } from 'yallist';
import { annotateCall, ERROR_TYPE_SERVER_SHUTDOWN } from '@inferlens/express';
import { ERROR_STATUS } from '@inferlens/protocol';

/**
 * What a call still in flight when the shutdown timeout ran out is recorded
 * as failing with: its `code` is its `error.type`.
 */
class ShutdownCutOffError extends Error {
  readonly code = ERROR_TYPE_SERVER_SHUTDOWN;

  constructor() {
    super('the server closed the connection before the answer was complete: its shutdown timeout ran out');
    this.name = 'ShutdownCutOffError';
  }
}

/**
 * The requests a server is answering, from the moment it has read their
 * headers until their response closes (answered, or its connection gone):
 * what a graceful shutdown waits for.
 */
export class InFlightRequests {
  /**
   * A linked list, not a Set. A Set that every request adds to and deletes
   * from replaces its table as deletions fill it, and V8 leaves each
   * replaced table linked to the next. Once one replaced table has reached
   * the old generation, the tables after it, and the responses they held,
   * survive every scavenge until a full collection. Measured under load,
   * every request's whole object graph was then copied and promoted: about
   * 2 MB per scavenge, 30% of young objects against 0.5%, and a third
   * fewer requests served. A removed node drops its links.
   */
  readonly #responses = new Yallist<ServerResponse>();
  #idleWaiters: (() => void)[] = [];
  #draining = false;

  /**
   * Once draining, makes `res` end its connection. Called before the
   * request's handler, which may answer at once (a health check): by
   * {@link track}, after it, the headers are sent.
   */
  admit(res: ServerResponse): void {
    if (this.#draining) closeAfterAnswer(res);
  }

  /** Counts `res` until it closes. */
  track(res: ServerResponse): void {
    const node = new Node(res);
    this.#responses.pushNode(node);
    res.once('close', () => {
      this.#responses.removeNode(node);
      if (this.#responses.length > 0) return;
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }

  /**
   * From now on, each answer ends its connection (`Connection: close`): a
   * keep-alive client would otherwise send its next request on a connection
   * the shutdown is about to close, and get a reset for it.
   */
  drain(): void {
    this.#draining = true;
    for (const res of this.#responses) closeAfterAnswer(res);
  }

  /**
   * Tells the telemetry of each call still in flight that the server is
   * cutting it off, just before its connection is closed: it would
   * otherwise record a client that left (499). One whose answer had not
   * started is recorded as refused for the shutdown (503).
   */
  cutOff(): void {
    const error = new ShutdownCutOffError();
    for (const res of this.#responses) {
      const status = res.headersSent ? res.statusCode : ERROR_STATUS.SERVER_NOT_READY;
      annotateCall(res, { cutOff: { error, status } });
    }
  }

  /** Resolves once no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.#responses.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}

/** An answer whose headers are still to be sent tells the client, and Node, that the connection ends with it. */
function closeAfterAnswer(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}
