import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import parseurl from 'parseurl';

/**
 * What sends a target to the full parse: a fragment, which Node's HTTP
 * parser lets through, and the whitespace that makes parseurl parse in full
 * (a lenient parser, `insecureHTTPParser`, lets some through). More than
 * parseurl looks for: it reads those targets exactly as it reads any other.
 */
const FULL_PARSE = /[#\s]/;

/**
 * A request target's path, without the query, read as Express's router
 * reads it. An origin-form target (`/path?query`) without a fragment,
 * nearly every request, is cut at its query here. Any other Express reads
 * with parseurl, and so does this: an absolute-form target
 * (`http://host:port/path`), which HTTP/1.1 servers must accept and clients
 * send when they take the server for a proxy, by its path; a fragment is
 * dropped and the backslashes before it are read as slashes, so that
 * `/v2/models\iris\infer#` is routed as `/v2/models/iris/infer`.
 */
export function pathOf(target: string): string {
  if (target.startsWith('/') && !FULL_PARSE.test(target)) {
    const query = target.indexOf('?');
    return query < 0 ? target : target.slice(0, query);
  }
  // A target parseurl finds no path in (`*`) is left as it is: no route matches it.
  return parseurl({ url: target } as IncomingMessage)?.pathname ?? target;
}

/**
 * The path the client asked for, without the query: Express's
 * `originalUrl` keeps the mount prefix that routing takes off `url`; a
 * plain `node:http` request has only `url`.
 */
export function clientPath(req: Pick<Request, 'url'> & Partial<Pick<Request, 'originalUrl'>>): string {
  return pathOf(req.originalUrl ?? req.url);
}
