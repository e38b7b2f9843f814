import { isInteger, parse, stringify } from 'lossless-json';

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
 * Throws a SyntaxError on text that is not JSON.
 */
export function parseJsonText(text: string): unknown {
  if (!UNSAFE_INTEGER_DIGITS.test(text)) return JSON.parse(text);
  return parse(text, null, { parseNumber: parseNumberText, onDuplicateKey: lastValue });
}

/**
 * Writes a value as JSON text, a bigint as a JSON number with all its
 * digits. JSON.stringify refuses bigints with a TypeError, so it writes
 * every answer that holds none, and only one that does is written again.
 */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return stringify(value)!;
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
