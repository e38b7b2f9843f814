import { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerOptions } from 'node:http';

/**
 * The prototypes an Express application (4 or 5) gives every request and
 * response it handles: `app.request` and `app.response`.
 */
export interface ExpressPrototypes {
  readonly request: object;
  readonly response: object;
}

/** The request and response classes of `http.createServer`'s (or `https.createServer`'s) options. */
export type ExpressServerOptions = Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'>;

/** Whether `constructor` may be called without `new`, as Node.js's own `IncomingMessage` and `ServerResponse` may. */
export function callableWithoutNew(constructor: abstract new (...args: never[]) => unknown): boolean {
  return !Function.prototype.toString.call(constructor).startsWith('class');
}

/**
 * A constructor that makes each object with `prototype` and runs `base` on
 * it. Calling `base` on an object made this way, rather than
 * `Reflect.construct` with another `new.target`, keeps every object on
 * one map of its own constructor, whose property additions V8 shares.
 */
function constructorWithPrototype<T extends abstract new (...args: never[]) => unknown>(base: T, prototype: object): T {
  function WithPrototype(this: unknown, ...args: unknown[]): void {
    Reflect.apply(base, this, args);
  }
  WithPrototype.prototype = prototype;
  return WithPrototype as unknown as T;
}

/**
 * Options for `http.createServer(options, app)` that make each request and
 * response with `app`'s prototypes from the start, so that Express's
 * own `Object.setPrototypeOf` on every call changes nothing.
 *
 * Why: on Node.js 20 (V8 11.3), an object whose prototype was changed
 * gets a map of its own for every property added afterwards, and Express
 * and its router add about a dozen to each request and response. Every
 * call then leaves maps for the old generation, each scavenge copies what
 * they point to, and every property read on a request or response, in
 * Express, Node.js and middleware alike, misses its inline cache
 * (docs/telemetry.md, "Serving an Express app", has the figures).
 * Requests and responses stay instances of Node.js's classes, made by
 * its constructors, and behave the same.
 *
 * Pass the application given to `createServer`, not one mounted under it.
 * Where a Node.js release makes `IncomingMessage` or `ServerResponse` a
 * class, which cannot be called on an object already made, this returns
 * no classes and the server makes its own, as without these options.
 */
export function expressServerOptions(app: ExpressPrototypes): ExpressServerOptions {
  if (!callableWithoutNew(IncomingMessage) || !callableWithoutNew(ServerResponse)) return {};
  return {
    IncomingMessage: constructorWithPrototype<typeof IncomingMessage>(IncomingMessage, app.request),
    ServerResponse: constructorWithPrototype<typeof ServerResponse>(ServerResponse, app.response),
  };
}
