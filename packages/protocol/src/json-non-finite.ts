/**
 * Where a value sits in a JSON document: the keys of the objects and the
 * indices of the arrays on the way to it, from the outermost.
 */
export type JsonPath = readonly (string | number)[];

/** Whether a value at `path` may be one of the non-finite tokens (see {@link readJsonWithNonFinite}). */
export type JsonPathTest = (path: JsonPath) => boolean;

/**
 * The tokens read as non-finite numbers, as Triton's parser (rapidjson with
 * `kParseNanAndInfFlag`) reads them: Python's `json.dumps` writes the first
 * three, and a NaN's sign is dropped, as rapidjson drops it.
 */
const NON_FINITE_TOKENS: ReadonlyMap<string, number> = new Map([
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['Inf', Infinity],
  ['-Inf', -Infinity],
  ['-NaN', NaN],
]);

/** A token of {@link NON_FINITE_TOKENS}, longest first, where a value starts. */
const NON_FINITE_TOKEN = /-?(?:NaN|Infinity|Inf)/y;
/** A JSON number, as RFC 8259 spells it. */
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** A JSON string's text: unescaped characters JSON allows raw, or escapes (checked when decoded). */
const STRING = /"[^"\\\u0000-\u001f]*(?:\\.[^"\\\u0000-\u001f]*)*"/y;
const WHITESPACE = /[ \t\n\r]*/y;

function unexpected(text: string, at: number): SyntaxError {
  const found = at < text.length ? `token ${JSON.stringify(text[at])}` : 'end of JSON input';
  return new SyntaxError(`Unexpected ${found} at position ${at}`);
}

/**
 * A JSON reader that also takes NaN, Infinity and -Infinity (and Triton's
 * other spellings) as numbers where `nonFiniteAt` allows them, and nowhere
 * else; in strings they stay text. It is the careful second reading of a
 * body JSON.parse refused: slower than JSON.parse, but only such bodies take
 * it. Integer literals are read with `parseNumber`, so that they read as
 * the first reading would (bigints past 2^53). Throws a SyntaxError that
 * names the position on text that is not JSON with those tokens; recursion
 * bounds its depth, as it bounds lossless-json's (a RangeError past it).
 */
export function readJsonWithNonFinite(
  text: string,
  nonFiniteAt: JsonPathTest,
  parseNumber: (literal: string) => unknown,
): unknown {
  const path: (string | number)[] = [];
  let at = 0;

  function match(pattern: RegExp): string | undefined {
    pattern.lastIndex = at;
    const found = pattern.exec(text)?.[0];
    if (found !== undefined) at = pattern.lastIndex;
    return found;
  }

  function skipWhitespace(): void {
    match(WHITESPACE);
  }

  function expect(char: string): void {
    skipWhitespace();
    if (text[at] !== char) throw unexpected(text, at);
    at++;
  }

  function readString(): string {
    const start = at;
    const literal = match(STRING);
    if (literal === undefined) throw unexpected(text, start);
    if (!literal.includes('\\')) return literal.slice(1, -1);
    try {
      return JSON.parse(literal) as string;
    } catch {
      throw new SyntaxError(`Bad escape in the string at position ${start}`);
    }
  }

  function readNonFinite(): number {
    const start = at;
    const token = match(NON_FINITE_TOKEN);
    if (token === undefined) throw unexpected(text, start);
    if (!nonFiniteAt(path)) {
      throw new SyntaxError(
        `${token} at position ${start} is not JSON; it is read only as an element of a float tensor's data`,
      );
    }
    return NON_FINITE_TOKENS.get(token)!;
  }

  /** Steps into an object or array: true when `close` ends it at once. */
  function closesAtOnce(close: string): boolean {
    at++;
    skipWhitespace();
    if (text[at] !== close) return false;
    at++;
    return true;
  }

  /** After a member or item: true at the comma before another, false at `close`. */
  function goesOn(close: string): boolean {
    skipWhitespace();
    const next = text[at++];
    if (next === close) return false;
    if (next !== ',') throw unexpected(text, at - 1);
    return true;
  }

  function readObject(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    if (closesAtOnce('}')) return object;
    do {
      skipWhitespace();
      if (text[at] !== '"') throw unexpected(text, at);
      const key = readString();
      expect(':');
      path.push(key);
      // As JSON.parse: an own property even for `__proto__`, and the last of repeated keys wins.
      Object.defineProperty(object, key, { value: readValue(), writable: true, enumerable: true, configurable: true });
      path.pop();
    } while (goesOn('}'));
    return object;
  }

  function readArray(): unknown[] {
    const array: unknown[] = [];
    if (closesAtOnce(']')) return array;
    do {
      path.push(array.length);
      array.push(readValue());
      path.pop();
    } while (goesOn(']'));
    return array;
  }

  function readLiteral<T>(word: string, value: T): T {
    if (!text.startsWith(word, at)) throw unexpected(text, at);
    at += word.length;
    return value;
  }

  function readValue(): unknown {
    skipWhitespace();
    switch (text[at]) {
      case '{':
        return readObject();
      case '[':
        return readArray();
      case '"':
        return readString();
      case 't':
        return readLiteral('true', true);
      case 'f':
        return readLiteral('false', false);
      case 'n':
        return readLiteral('null', null);
      case 'N':
      case 'I':
        return readNonFinite();
      default:
        return readNumber();
    }
  }

  function readNumber(): unknown {
    if (text[at] === '-' && (text[at + 1] === 'N' || text[at + 1] === 'I')) return readNonFinite();
    const literal = match(NUMBER);
    if (literal === undefined) throw unexpected(text, at);
    return parseNumber(literal);
  }

  const value = readValue();
  skipWhitespace();
  if (at < text.length) throw unexpected(text, at);
  return value;
}
