import { isHighSurrogate, isLowSurrogate } from '@inferlens/protocol';

/** Each escape of a JSON string in turn, an escaped backslash whole, so that the `u` after it starts no escape. */
const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|[^u])/g;
/** The length of a `\uXXXX` escape. */
const UNIT_ESCAPE_LENGTH = 6;

/**
 * The first `\uXXXX` escape of a JSON text that names half a surrogate pair
 * without the other half right beside it (`"\ud800"`), or undefined. JSON's
 * grammar lets such a string through, and JSON.parse makes a string no
 * UTF-8 can encode: text sent to a model would reach it as U+FFFD (RFC 8259
 * calls its behaviour unpredictable, and I-JSON, RFC 7493, forbids it).
 * Pairs (`"\ud83d\ude00"`, as Python's `json.dumps` escapes an emoji) are
 * text. Only a text with an escape is scanned.
 */
export function loneSurrogateEscape(text: string): string | undefined {
  if (!text.includes('\\u')) return undefined;
  let high: { escape: string; end: number } | undefined;
  for (const match of text.matchAll(ESCAPE)) {
    const unit = match[1] === undefined ? undefined : Number.parseInt(match[1], 16);
    const isLow = unit !== undefined && isLowSurrogate(unit);
    if (high !== undefined) {
      if (isLow && match.index === high.end) {
        high = undefined;
        continue;
      }
      return high.escape;
    }
    if (isLow) return match[0];
    if (unit !== undefined && isHighSurrogate(unit)) {
      high = { escape: match[0], end: match.index + UNIT_ESCAPE_LENGTH };
    }
  }
  return high?.escape;
}
