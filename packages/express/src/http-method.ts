import type { Attributes } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_REQUEST_METHOD_ORIGINAL, HTTP_METHOD_OTHER } from './semconv.js';

/**
 * The methods the HTTP conventions know by default: RFC 9110's, PATCH
 * (RFC 5789) and QUERY. Node.js accepts some thirty more (WebDAV's, `PURGE`),
 * which a custom matcher may take.
 */
export const DEFAULT_KNOWN_METHODS: ReadonlySet<string> = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
]);

/**
 * Sets `http.request.method` as the conventions want it: a method outside
 * `known` is `_OTHER`, the method itself going in
 * `http.request.method_original`. Names are compared case-sensitively, as
 * HTTP compares them. Written into the call's attributes, not a new object.
 */
export function setMethodAttributes(attributes: Attributes, method: string, known: ReadonlySet<string>): void {
  if (known.has(method)) {
    attributes[ATTR_HTTP_REQUEST_METHOD] = method;
    return;
  }
  attributes[ATTR_HTTP_REQUEST_METHOD] = HTTP_METHOD_OTHER;
  attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = method;
}
