import type { IncomingHttpHeaders, OutgoingHttpHeader } from 'node:http';
import { parseJsonPartLength } from '@inferlens/protocol';

/**
 * The JSON part's length when a body uses the Open Inference binary tensor
 * data extension (`Inference-Header-Content-Length`), else undefined. The
 * payload records keep the JSON part, which names every tensor, and leave
 * the raw bytes out: as text they would be garbled.
 */
export function jsonPartLength(
  header: IncomingHttpHeaders[string] | OutgoingHttpHeader | undefined,
): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value === undefined ? undefined : parseJsonPartLength(String(value));
}
