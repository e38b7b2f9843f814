import type { Socket } from 'node:net';

/**
 * When a socket's timeout last ran out (`performance.now()`), kept on the
 * socket under a symbol; {@link NEVER} until it does.
 */
const TIMED_OUT_AT = Symbol('inferlens.socketTimedOutAt');
const NEVER = -1;

type WatchedSocket = Socket & { [TIMED_OUT_AT]?: number };

/**
 * Notes, from now on, when `socket`'s timeout runs out (`server.timeout`, or
 * `setTimeout` on the server, the socket, the request or the response):
 * Node.js then destroys the socket unless the request, the response or the
 * server listens for the timeout, and the closed connection it leaves looks
 * like the client's leaving. Listening on the socket itself changes nothing
 * of that: Node.js asks only those three whether they listen. Once per
 * socket, whatever the number of calls it carries.
 */
export function watchSocketTimeout(socket: WatchedSocket | null): void {
  if (socket === null || socket[TIMED_OUT_AT] !== undefined) return;
  socket[TIMED_OUT_AT] = NEVER;
  socket.on('timeout', () => {
    socket[TIMED_OUT_AT] = performance.now();
  });
}

/** Whether the timeout of a socket {@link watchSocketTimeout} watches ran out at `sinceMillis` or later. */
export function socketTimedOutSince(socket: WatchedSocket | null, sinceMillis: number): boolean {
  return (socket?.[TIMED_OUT_AT] ?? NEVER) >= sinceMillis;
}
