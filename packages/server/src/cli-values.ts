import { InvalidArgumentError } from 'commander';

/**
 * Flag and `INFERLENS_*` values as `inferlens serve` takes them. `Number()`
 * alone would read `''` and `' '` as 0 (a random port, no payloads sampled)
 * and `0x10` or `1e3` as numbers, so each value must be written as the help
 * text shows it: decimal digits, surrounding blanks aside.
 */

/** The highest TCP port. */
export const MAX_PORT = 65_535;

/** An integer from `min` to `max`, in decimal digits. */
export function integer(min: number, max: number) {
  return (value: string): number => {
    const parsed = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got '${value}'`);
    }
    return parsed;
  };
}

/** A decimal number from 0 to 1 (`0.25`, `.5`, `1`). */
export function fraction(value: string): number {
  const parsed = /^\s*(\d+\.?\d*|\.\d+)\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed >= 0 && parsed <= 1)) throw new InvalidArgumentError(`expected a number from 0 to 1, got '${value}'`);
  return parsed;
}

/** A name or path that is not blank: an empty `--host` listens everywhere, an empty folder is the working one. */
export function nonBlank(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected a value, got an empty one');
  return value;
}
