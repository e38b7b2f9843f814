import { isInteger, parse } from 'lossless-json';
import type { JsonPathTest } from './json-non-finite.js';
import { FloatToken } from './float-token.js';
import { readJsonWithNonFinite } from './json-non-finite.js';

/**
 * A run of this many digits is the shortest text that can hold an integer
 * past 2^53 (9007199254740992 has 16 digits). A body without one cannot lose
 * an integer to JSON.parse; one with it (a long fraction, digits in a
 * string) is only read more slowly.
 */
const UNSAFE_INTEGER_DIGITS = /\d{16}/;

/** An integer literal as the number it names: a bigint where a number would round it. */
function parseNumberText(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) || !isInteger(text) ? value : BigInt(text);
}

/** As JSON.parse: the last of repeated keys wins. */
function lastValue({ newValue }: { newValue: unknown }): unknown {
  return newValue;
}

/**
 * Parses JSON text as JSON.parse does, except that an integer JSON.parse
 * would round (past 2^53, as 64-bit tensor elements and parameters are)
 * becomes a bigint with all its digits, as Triton's server reads int64.
 * Text without a long run of digits is left to JSON.parse, which is faster.
 *
 * Where `nonFiniteAt` allows them (tensor data), the tokens NaN, Infinity
 * and -Infinity, which Python's `json.dumps` writes and Triton's server
 * reads, are read as those numbers: only text the first reading refused
 * is read again, with a reader that takes them, so bodies without them
 * cost nothing more. Throws a SyntaxError on text that is not JSON with
 * them, or holds them elsewhere.
 */
export function parseJsonText(text: string, nonFiniteAt?: JsonPathTest): unknown {
  try {
    if (!UNSAFE_INTEGER_DIGITS.test(text)) return JSON.parse(text);
    return parse(text, null, { parseNumber: parseNumberText, onDuplicateKey: lastValue });
  } catch (error) {
    if (nonFiniteAt === undefined || !(error instanceof SyntaxError) || !MAY_HOLD_NON_FINITE.test(text)) throw error;
    return readJsonWithNonFinite(text, nonFiniteAt, parseNumberText);
  }
}

/** Text without these cannot hold a non-finite token, so JSON.parse's own error stands. */
const MAY_HOLD_NON_FINITE = /NaN|Inf/;

/** What JSON.stringify refused (a bigint, a FloatToken), written by hand; anything else as it writes it. */
function writeValue(value: unknown): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof FloatToken) return value.token;
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += `${i === 0 ? '' : ','}${writeValue(value[i]) ?? 'null'}`;
    return `${text}]`;
  }
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const prototype = Object.getPrototypeOf(value) as unknown;
  // Other objects (a Date, a boxed number) are written by their own toJSON, or as JSON.stringify writes them.
  if (prototype !== Object.prototype && prototype !== null) return JSON.stringify(value);
  let text = '';
  for (const [key, item] of Object.entries(value)) {
    const written = writeValue(item);
    if (written !== undefined) text += `${text === '' ? '' : ','}${JSON.stringify(key)}:${written}`;
  }
  return `{${text}}`;
}

/**
 * Writes a value as JSON text, a bigint as a JSON number with all its
 * digits and a FloatToken as its token (`NaN`, `Infinity`, `-Infinity`,
 * `-0.0`). JSON.stringify refuses both with a TypeError, so it writes every
 * answer that holds neither, and only one that does is written again.
 */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return writeValue(value)!;
  }
}

/**
 * A client's JSON value as an error message shows it: a primitive as its
 * JSON text, an array or object by its kind alone. Written whole, a value
 * that a small body nests thousands of arrays deep would overflow the stack
 * in JSON.stringify, failing the error answer itself.
 */
export function showJsonValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' && value !== null ? 'an object' : stringifyJson(value);
}
