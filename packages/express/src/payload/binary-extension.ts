import type { IncomingHttpHeaders, OutgoingHttpHeader } from 'node:http';

/**
 * The Open Inference binary tensor data extension sends a JSON header and
 * then raw tensor bytes; this header gives the JSON part's length. The
 * payload records keep the JSON part, which names every tensor, and leave
 * the raw bytes out: as text they would be garbled.
 */
export const INFERENCE_HEADER_CONTENT_LENGTH = 'inference-header-content-length';

/** The JSON part's length when a body uses the binary extension, else undefined. */
export function jsonPartLength(
  header: IncomingHttpHeaders[string] | OutgoingHttpHeader | undefined,
): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const length = Number(value);
  return Number.isInteger(length) && length >= 0 ? length : undefined;
}
