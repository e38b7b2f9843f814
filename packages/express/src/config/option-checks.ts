import { isJsonObject } from '@inferlens/protocol';
import { isHeader, isHttpUrl, isReadableFile } from '../env.js';

/** Throws for an option given in code that is not `expected`: at construction, naming the option and the value. */
export function fail(option: string, expected: string, value: unknown): never {
  // JSON has no Infinity or NaN: it would print them as null.
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
  throw new TypeError(`inferenceTelemetry: ${option} must be ${expected}, got ${shown}`);
}

export function checkChoice<T extends string>(
  option: string,
  value: T | undefined,
  choices: readonly T[],
): T | undefined {
  if (value !== undefined && !choices.includes(value)) fail(option, `one of ${choices.join(', ')}`, value);
  return value;
}

export function checkNumber(
  option: string,
  value: number | undefined,
  min: number,
  max = Infinity,
): number | undefined {
  if (value !== undefined && !(typeof value === 'number' && value >= min && value <= max)) {
    fail(option, `a number from ${min}${max === Infinity ? '' : ` to ${max}`}`, value);
  }
  return value;
}

export function checkInteger(option: string, value: number | undefined, min: number): number | undefined {
  if (value !== undefined && !(Number.isInteger(value) && value >= min))
    fail(option, `an integer of at least ${min}`, value);
  return value;
}

export function checkUrl(option: string, value: string | undefined): string | undefined {
  if (value !== undefined && !isHttpUrl(value)) fail(option, 'an http(s) URL', value);
  return value;
}

/** A PEM file, read when the exporters are built: a missing one throws here, naming the option. */
export function checkFile(option: string, value: string | undefined): string | undefined {
  if (value !== undefined && !isReadableFile(value)) fail(option, 'the path of a readable file', value);
  return value;
}

/** An option that groups others (`otlp`, `queue`, `fileSink`): a plain object, whose fields are checked one by one. */
export function checkGroup<T extends object>(option: string, value: T | undefined): T | undefined {
  if (value !== undefined && !isJsonObject(value)) {
    fail(option, 'an object of options', value);
  }
  return value;
}

/** A non-empty string. */
export function checkText(option: string, value: string | undefined): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === '')) fail(option, 'a non-empty string', value);
  return value;
}

export function checkFunction<T extends (...args: never[]) => unknown>(
  option: string,
  value: T | undefined,
): T | undefined {
  // A function has no JSON: the error shows what was given by its type.
  if (value !== undefined && typeof value !== 'function') fail(option, 'a function', typeof value);
  return value;
}

export function checkBoolean(option: string, value: boolean | undefined): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') fail(option, 'a boolean', value);
  return value;
}

/**
 * Headers every export sends: names and values Node.js accepts, so that a
 * typo throws now instead of failing every export. The error names the
 * headers, never their values, which carry credentials.
 */
export function checkHeaders(option: string, headers: Readonly<Record<string, unknown>> | undefined): void {
  if (headers === undefined) return;
  // A string in the variable's form would be spread into one header per character. Its value is not shown either.
  if (!isJsonObject(headers)) {
    const given = Array.isArray(headers) ? 'an array' : headers === null ? 'null' : `a ${typeof headers}`;
    throw new TypeError(
      `inferenceTelemetry: ${option} must be an object of header names and values, got ${given} (not shown: headers carry credentials)`,
    );
  }
  const refused = Object.entries(headers)
    .filter(([name, value]) => typeof value !== 'string' || !isHeader(name, value))
    .map(([name]) => name);
  if (refused.length > 0) fail(option, 'HTTP header names with string values free of line breaks', refused);
}
