/** A payload cut to the record's limit. */
export interface BoundedPayload {
  text: string;
  /** Bytes before truncation. */
  size: number;
  truncated: boolean;
}

/**
 * Cuts a payload to `limit` UTF-8 bytes, never inside a character. `size`
 * is the size before the cut, so the record says how much was left out.
 */
export function truncatePayload(text: string, limit: number, size = Buffer.byteLength(text)): BoundedPayload {
  if (size <= limit) return { text, size, truncated: false };
  const bytes = Buffer.from(text).subarray(0, limit);
  // A cut inside a multi-byte character leaves U+FFFD at the end; drop it.
  const cut = bytes.toString('utf8').replace(/\uFFFD$/, '');
  return { text: cut, size, truncated: true };
}
