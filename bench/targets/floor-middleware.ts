import { randomUUID } from 'node:crypto';
import { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/** The pieces of each answer, by response: what a payload logger keeps until the call ends. */
const kept = new WeakMap<ServerResponse, unknown[]>();

/**
 * Makes `write` and `end` of every response note their chunk when the
 * response is kept, the cheapest way known (the one inferlens uses): once,
 * on the prototype, rather than two wrappers per response.
 */
function keepPiecesOfEveryResponse(): void {
  const proto = ServerResponse.prototype;
  // Called with the response as `this`: the originals are unbound by design.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const { write, end } = proto;
  proto.write = function (this: ServerResponse, chunk: unknown) {
    kept.get(this)?.push(chunk);
    // eslint-disable-next-line prefer-rest-params
    return Reflect.apply(write, this, arguments) as boolean;
  } as ServerResponse['write'];
  proto.end = function (this: ServerResponse, chunk?: unknown) {
    if (chunk !== undefined && typeof chunk !== 'function') kept.get(this)?.push(chunk);
    // eslint-disable-next-line prefer-rest-params
    return Reflect.apply(end, this, arguments) as ServerResponse;
  } as ServerResponse['end'];
}

/**
 * The least any middleware that logs predict calls' payloads and echoes
 * their request id does, and nothing more: it echoes `x-request-id` (drawn
 * when absent, as the issue asks of inferlens), keeps a reference to each
 * piece of the answer without copying it, and is told when the call
 * closes. It records nothing and exports nothing: its throughput against
 * the bare app is about the most such a middleware can keep on this app
 * and machine.
 */
export function floorMiddleware(): RequestHandler {
  keepPiecesOfEveryResponse();
  return (req, res, next) => {
    const sent = req.headers['x-request-id'];
    res.setHeader('x-request-id', typeof sent === 'string' && sent !== '' ? sent : randomUUID());
    const pieces: unknown[] = [];
    kept.set(res, pieces);
    res.on('close', () => {
      pieces.length = 0;
    });
    next();
  };
}
