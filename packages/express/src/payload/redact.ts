import type { JSONScanner, SyntaxKind } from 'jsonc-parser';
import { createScanner } from 'jsonc-parser';
import {
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  EOF,
  FALSE,
  LINE_BREAK,
  NO_SCAN_ERROR,
  NULL,
  NUMBER,
  OPEN_BRACE,
  OPEN_BRACKET,
  STRING,
  TRUE,
  UNKNOWN,
  WHITESPACE,
} from './json-token.js';
import type { PayloadText } from './truncate.js';
import { truncatePayload, utf8Prefix } from './truncate.js';

/** What a redacted field's value becomes. */
export const REDACTED = '[REDACTED]';
const REDACTED_JSON = JSON.stringify(REDACTED);
const BYTE_ORDER_MARK = '\uFEFF';

/** A path split at dots; `*` matches any key or index. */
type Path = readonly string[];
const NO_PATHS: readonly Path[] = [];

/** A text cut to `limit` UTF-8 bytes, and whether it was. */
function cutTo(text: string, limit: number): PayloadText {
  const { text: kept, truncated } = truncatePayload(text, limit);
  return { text: kept, cut: truncated };
}

export function parseRedactPaths(paths: readonly string[]): Path[] {
  return paths.map((path) => path.split('.').filter((part) => part !== ''));
}

/**
 * The words of the non-finite numbers inferlens reads and writes in tensor
 * data (`NaN`, `Infinity`, `-Infinity`, and Triton's `Inf`, `-Inf`,
 * `-NaN`): JSON's grammar has none, but a payload that holds them is read
 * as one that holds numbers, so that its other fields are redacted one by
 * one rather than the whole withheld.
 */
const NON_FINITE_WORDS: ReadonlySet<string> = new Set(['NaN', 'Infinity', 'Inf']);
const SIGN = '-';

/** What JSON's grammar lets come next; `signed`: the word of a non-finite number, right after its sign. */
type Expected = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'end' | 'signed';

/** An object or array open at the scanner's position. */
interface Container {
  readonly isObject: boolean;
  /** The paths that match the way to it and go on below it. */
  readonly paths: readonly Path[];
  /** The key of the member being read (an object's). */
  key: string;
  /** The index of the item being read (an array's). */
  index: number;
}

/**
 * A pass of jsonc-parser's scanner over a payload, which checks JSON's
 * grammar token by token and writes the text as it is but for the values
 * at the paths, until the text written passes a limit. The scanner is not
 * recursive and the open containers are a list, so any depth of nesting is
 * read. A pass that ran out of text goes on over a longer one.
 */
class Redaction {
  readonly #paths: readonly Path[];
  /** The text read, and the scanner over it. */
  #text: string;
  #scanner: JSONScanner;
  /** Where the next token starts: after a byte order mark, which a JSON parser may ignore (RFC 8259, section 8.1). */
  #resumeAt: number;
  readonly #containers: Container[] = [];
  /** The innermost open container. */
  #top: Container | undefined;
  #expected: Expected = 'value';
  /** The redacted text written so far, and its UTF-8 bytes. */
  #written = '';
  #writtenBytes = 0;
  /** Where the text not written yet starts (a byte order mark is copied as sent); -1 inside a redacted value. */
  #copyFrom = 0;
  /** The containers open around the redacted value being read, which ends when as many are. */
  #redactedDepth = 0;
  /** Where the sign of a non-finite number ends, and its word must start. */
  #signEnd = 0;

  constructor(text: string, paths: readonly Path[]) {
    this.#paths = paths.filter((path) => path.length > 0);
    this.#text = text;
    this.#scanner = createScanner(text, false);
    this.#resumeAt = text.startsWith(BYTE_ORDER_MARK) ? BYTE_ORDER_MARK.length : 0;
  }

  /** Whether `text` starts with the text read so far, so this pass can go on over it. */
  continues(text: string): boolean {
    return text.startsWith(this.#text.slice(0, this.#resumeAt));
  }

  /**
   * The redacted text, cut to `limit` UTF-8 bytes; `[REDACTED]` whole for
   * text that breaks JSON's grammar before the pass stops. Undefined when
   * the text is `cut` short and ends before the redacted text passes the
   * limit: more of the payload is needed, and the pass goes on from where
   * it ran out when given it.
   */
  run(text: string, cut: boolean, limit: number): PayloadText | undefined {
    if (text !== this.#text) {
      this.#text = text;
      this.#scanner = createScanner(text, false);
    }
    const scanner = this.#scanner;
    scanner.setPosition(this.#resumeAt);
    for (;;) {
      const kind = scanner.scan();
      const end = scanner.getPosition();
      // The cut may have shortened a token that reaches the end of the text, and stands for the end of the payload.
      if (cut && end === text.length) {
        this.#resumeAt = scanner.getTokenOffset();
        return undefined;
      }
      // A payload that is not JSON is withheld: `[REDACTED]` stands for all of it, as for one read whole.
      if (kind === EOF)
        return cutTo(this.#expected === 'end' ? this.#written + text.slice(this.#copyFrom) : REDACTED, limit);
      if (scanner.getTokenError() !== NO_SCAN_ERROR || !this.#read(kind)) return cutTo(REDACTED, limit);
      if (this.#pastLimit(end, limit)) return { text: this.#keptText(end, limit), cut: true };
    }
  }

  /** Takes one token; false when the grammar does not let it come here (comments, unknown characters included). */
  #read(kind: SyntaxKind): boolean {
    const expected = this.#expected;
    const top = this.#top;
    switch (kind) {
      case WHITESPACE:
      case LINE_BREAK:
        return true;
      case COLON:
        if (expected !== 'colon') return false;
        this.#expected = 'value';
        return true;
      case COMMA:
        if (expected !== 'comma-or-close') return false;
        this.#expected = top!.isObject ? 'key' : 'value';
        return true;
      case CLOSE_BRACE:
      case CLOSE_BRACKET: {
        const isObject = kind === CLOSE_BRACE;
        const closes =
          expected === (isObject ? 'key-or-close' : 'value-or-close') ||
          (expected === 'comma-or-close' && top!.isObject === isObject);
        if (!closes) return false;
        this.#containers.pop();
        this.#top = this.#containers.at(-1);
        this.#valueEnded();
        return true;
      }
      case STRING:
        if (expected !== 'key' && expected !== 'key-or-close') break;
        top!.key = this.#scanner.getTokenValue();
        this.#expected = 'colon';
        return true;
      case NUMBER:
      case TRUE:
      case FALSE:
      case NULL:
      case OPEN_BRACE:
      case OPEN_BRACKET:
        break;
      case UNKNOWN:
        return this.#readNonFinite(top);
      default:
        return false;
    }
    if (expected !== 'value' && expected !== 'value-or-close') return false;
    this.#valueStarted(kind, top);
    return true;
  }

  /** Takes a non-finite number's sign or word; false for any other unknown token, or one out of place. */
  #readNonFinite(top: Container | undefined): boolean {
    const scanner = this.#scanner;
    const word = scanner.getTokenValue();
    if (this.#expected === 'signed') {
      // The sign's token ends where the word's starts: `- NaN` is no number.
      if (!NON_FINITE_WORDS.has(word) || scanner.getTokenOffset() !== this.#signEnd) return false;
      this.#valueEnded();
      return true;
    }
    if (this.#expected !== 'value' && this.#expected !== 'value-or-close') return false;
    if (word === SIGN) {
      // The value starts at its sign (a redacted one is replaced from there) and ends with the word.
      this.#valueStarted(UNKNOWN, top, false);
      this.#expected = 'signed';
      this.#signEnd = scanner.getPosition();
      return true;
    }
    if (!NON_FINITE_WORDS.has(word)) return false;
    this.#valueStarted(UNKNOWN, top);
    return true;
  }

  /** A value starts in `top`: redacted when a path ends at it, and a container is entered; a scalar ends here unless not `ends`. */
  #valueStarted(kind: SyntaxKind, top: Container | undefined, ends = true): void {
    let below = this.#paths;
    if (top !== undefined) {
      const depth = this.#containers.length - 1;
      below = NO_PATHS;
      if (top.paths.length > 0) {
        const key = top.isObject ? top.key : String(top.index);
        below = top.paths.filter((path) => path[depth] === '*' || path[depth] === key);
      }
      // Inside a value already redacted (paths `a` and `a.b`), nothing is written: it goes with the outer one.
      if (this.#copyFrom >= 0 && below.some((path) => path.length === depth + 1)) this.#redactFrom();
    }
    if (kind !== OPEN_BRACE && kind !== OPEN_BRACKET) {
      if (ends) this.#valueEnded();
      return;
    }
    const isObject = kind === OPEN_BRACE;
    this.#top = { isObject, paths: this.#copyFrom < 0 ? NO_PATHS : below, key: '', index: 0 };
    this.#containers.push(this.#top);
    this.#expected = isObject ? 'key-or-close' : 'value-or-close';
  }

  /** Writes the text up to the value that starts at the token just read, and `"[REDACTED]"` for it. */
  #redactFrom(): void {
    const copied = this.#text.slice(this.#copyFrom, this.#scanner.getTokenOffset());
    this.#written += copied + REDACTED_JSON;
    this.#writtenBytes += Buffer.byteLength(copied) + REDACTED_JSON.length;
    this.#copyFrom = -1;
    this.#redactedDepth = this.#containers.length;
  }

  #valueEnded(): void {
    if (this.#copyFrom < 0 && this.#containers.length === this.#redactedDepth) {
      this.#copyFrom = this.#scanner.getPosition();
    }
    const top = this.#top;
    if (top === undefined) {
      this.#expected = 'end';
      return;
    }
    top.index += 1;
    this.#expected = 'comma-or-close';
  }

  /** Whether the redacted text up to `end` is longer than `limit` bytes. */
  #pastLimit(end: number, limit: number): boolean {
    // Each UTF-16 unit of the text not written yet takes at least a byte: more units than the room are more bytes.
    const unwritten = this.#copyFrom < 0 ? 0 : end - this.#copyFrom;
    return this.#writtenBytes + unwritten > limit;
  }

  /** The first `limit` bytes of the redacted text, once it is longer up to `end`. */
  #keptText(end: number, limit: number): string {
    let text = this.#written;
    if (this.#copyFrom >= 0) {
      // The first `room` units of the text not written yet hold the bytes kept of it, whatever its length.
      const room = Math.max(0, limit - this.#writtenBytes);
      text += this.#text.slice(this.#copyFrom, Math.min(end, this.#copyFrom + room));
    }
    return utf8Prefix(text, limit);
  }
}

/**
 * Replaces the fields at `paths` in a JSON payload, and nothing else: the
 * rest stays the text that arrived, byte for byte (numbers past 2^53 or
 * 1e308, spacing, key order), where a parse and a stringify would rewrite
 * it. The payload is read from its start only until the redacted text
 * passes `limit` UTF-8 bytes, to which it is cut after the replacement (a
 * redacted value never shows, not even in part): the cost is that of the
 * part read (a long redacted value in it included), not of the whole
 * payload. A payload that breaks JSON's
 * grammar in the part read cannot be redacted field by field, so it is
 * withheld whole: a redaction rule never lets through what it was meant to
 * hide. What follows the part read is not looked at.
 *
 * Undefined when the payload is `cut` (only its start was read) and ends
 * before the redacted text passes `limit`: more of it is needed.
 */
export function redactPayload(payload: PayloadText, paths: readonly Path[], limit = Infinity): PayloadText | undefined {
  if (payload.text === '') return payload;
  return new Redaction(payload.text, paths).run(payload.text, payload.cut, limit);
}

/**
 * How much more of a payload is read each time its redaction needs more:
 * first this many times the bytes kept (and one), as redacted values
 * shorten the text.
 */
const READ_GROWTH = 4;

/**
 * {@link redactPayload} of a payload read a start at a time:
 * `read(maxBytes)` gives the text of its first `maxBytes` UTF-8 bytes (or
 * their worth), and a longer start is read while the redacted text is
 * shorter than `limit`, the scan going on where it ran out. A large payload
 * is neither decoded nor scanned whole to keep its start.
 */
export function redactPayloadStart(
  read: (maxBytes: number) => PayloadText,
  paths: readonly Path[],
  limit: number,
): PayloadText {
  let redaction: Redaction | undefined;
  for (let maxBytes = READ_GROWTH * (limit + 1); ; maxBytes *= READ_GROWTH) {
    const payload = read(maxBytes);
    if (payload.text === '') return payload;
    // A decoder writes a character once it is whole, so a longer start begins with the text read before.
    if (redaction?.continues(payload.text) !== true) redaction = new Redaction(payload.text, paths);
    const redacted = redaction.run(payload.text, payload.cut, limit);
    if (redacted !== undefined) return redacted;
  }
}
