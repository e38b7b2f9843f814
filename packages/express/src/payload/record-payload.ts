import type { parseRedactPaths } from './redact.js';
import { REDACTED, redactPayload, redactPayloadStart } from './redact.js';
import type { RequestParts } from './request-body.js';
import { requestPayload } from './request-body.js';
import type { BoundedPayload, PayloadText } from './truncate.js';
import { truncatePayload } from './truncate.js';

/** The `redactPaths` option, parsed. */
type RedactPaths = ReturnType<typeof parseRedactPaths>;

/**
 * The answer with the `redactPaths` fields replaced. An answer the capture
 * cut is no longer whole JSON, so with redaction on it is withheld whole
 * rather than risk a field it was meant to hide.
 */
export function redactedAnswer(content: PayloadText, redactPaths: RedactPaths): PayloadText {
  if (redactPaths.length === 0 || content.text === '') return content;
  // Withheld unscanned: with no limit to stop at, a scan of a cut answer would read all of it only to need more.
  if (content.cut) return { text: REDACTED, cut: true };
  return { text: redactPayload(content, redactPaths)?.text ?? REDACTED, cut: false };
}

/** A redacted payload of `size` bytes capped at `maxPayloadBytes`. */
export function boundedPayload({ text, cut }: PayloadText, size: number, maxPayloadBytes: number): BoundedPayload {
  const bounded = truncatePayload(text, maxPayloadBytes);
  return { text: bounded.text, size, truncated: cut || bounded.truncated };
}

/**
 * The request record's payload. Without redaction, only the bytes the
 * record keeps are decoded; with it, a start of the body that its
 * redacted text fills. A body of unknown size (chunked, not kept) has the
 * size of its text.
 */
export function requestRecordPayload(
  request: RequestParts,
  rawBody: Buffer | undefined,
  size: number | undefined,
  redactPaths: RedactPaths,
  maxPayloadBytes: number,
): BoundedPayload {
  let content: PayloadText = { text: '', cut: false };
  const read = (maxBytes: number): PayloadText => (content = requestPayload(request, rawBody, maxBytes));
  const text =
    redactPaths.length === 0 ? read(maxPayloadBytes) : redactPayloadStart(read, redactPaths, maxPayloadBytes);
  return boundedPayload(text, size ?? Buffer.byteLength(content.text), maxPayloadBytes);
}
