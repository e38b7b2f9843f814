import { StringDecoder } from 'node:string_decoder';

/** A payload's text as read, and whether it is less than the whole payload (cut before it was decoded). */
export interface PayloadText {
  readonly text: string;
  readonly cut: boolean;
}

/** A payload cut to the record's limit. */
export interface BoundedPayload {
  text: string;
  /** Bytes before truncation. */
  size: number;
  truncated: boolean;
}

/**
 * Decodes UTF-8 bytes that may end inside a character: the incomplete
 * character is left out rather than turned into U+FFFD.
 */
export function decodeUtf8Prefix(bytes: Buffer): string {
  return new StringDecoder('utf8').write(bytes);
}

/**
 * Cuts a payload to `limit` UTF-8 bytes, never inside a character. `size`
 * is the size before the cut, so the record says how much was left out.
 */
export function truncatePayload(text: string, limit: number, size = Buffer.byteLength(text)): BoundedPayload {
  if (size <= limit) return { text, size, truncated: false };
  return { text: utf8Prefix(text, limit), size, truncated: true };
}

/** The first `limit` UTF-8 bytes of a text, never cut inside a character. */
export function utf8Prefix(text: string, limit: number): string {
  // Each UTF-16 unit takes at least one byte, so the first `limit` units hold the first `limit` bytes: the rest is not encoded.
  return decodeUtf8Prefix(Buffer.from(text.slice(0, limit)).subarray(0, limit));
}
