import { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerOptions } from 'node:http';

/**
 * What an Express application (4 or 5) gives every request and response it
 * handles as its prototype, `app.request` and `app.response`, read on each
 * call.
 */
export interface ExpressPrototypes {
  request: object;
  response: object;
}

/** The request and response classes of `http.createServer`'s (or `https.createServer`'s) options. */
export type ExpressServerOptions = Required<Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'>>;

/** The classes made for each app, so that a second server of the same app gets the same ones. */
const madeFor = new WeakMap<ExpressPrototypes, ExpressServerOptions>();

/**
 * Options for `http.createServer(options, app)` under which each request
 * and response already has the prototype Express gives it, so that
 * Express's own `Object.setPrototypeOf` on every call changes nothing.
 *
 * They are subclasses of Node.js's `IncomingMessage` and `ServerResponse`,
 * whose prototypes derive from the app's; `app.request` and `app.response`
 * become those prototypes. Everything the app's prototypes had, and
 * anything added to them later, is still there.
 *
 * Why: on Node.js 20 and 22 (V8 11.3 and 12.4), an object whose prototype
 * was changed gets a map of its own for every property added afterwards,
 * and Express and its router add about a dozen to each request and
 * response. Every call then leaves maps for the old generation, each
 * scavenge copies what they point to, and every property read on a request
 * or response, in Express, Node.js and middleware alike, misses its inline
 * cache (docs/telemetry.md, "Serving an Express app", has the figures). A
 * subclass, unlike a plain function standing in for one, gives all its
 * objects one shared map with room for the base class's properties.
 * Node.js 24 and 26 (V8 13.6 and 14.6) share those maps by themselves:
 * there this changes nothing, and costs nothing either.
 *
 * Pass the application given to `createServer`, not one mounted under it.
 */
export function expressServerOptions(app: ExpressPrototypes): ExpressServerOptions {
  const made = madeFor.get(app);
  if (made !== undefined) return made;
  const AppRequest = class extends IncomingMessage {};
  const AppResponse = class<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {};
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype;
  app.response = AppResponse.prototype;
  const options: ExpressServerOptions = { IncomingMessage: AppRequest, ServerResponse: AppResponse };
  madeFor.set(app, options);
  return options;
}
