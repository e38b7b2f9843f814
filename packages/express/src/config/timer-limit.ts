import type { EnvReader, NumberBounds } from '../env.js';
import { checkNumber } from './option-checks.js';

/**
 * The longest delay a Node.js timer waits (2^31 - 1 ms, about 24.8 days).
 * `setTimeout` and `setInterval` turn anything longer, Infinity included,
 * into 1 ms, which would make "no time limit" fail every export at once and
 * a long metric interval export every millisecond; every option and variable
 * that becomes a timer is refused above it.
 */
export const MAX_TIMER_MILLIS = 2 ** 31 - 1;
/**
 * Variables that become a timer, as {@link checkMillis} checks options:
 * whole milliseconds, as the specification's Duration and Timeout types are.
 */
export const TIMER_BOUNDS: NumberBounds = { max: MAX_TIMER_MILLIS, integer: true };

/**
 * A time limit variable (the specification's Timeout type): 0 means no
 * limit, which a Node.js timer holds as its longest wait, the substitute the
 * specification allows. Options in code say so with {@link MAX_TIMER_MILLIS}.
 */
export function timeoutVariable(env: EnvReader, name: string): number | undefined {
  const value = env.number(name, 0, TIMER_BOUNDS);
  return value === 0 ? MAX_TIMER_MILLIS : value;
}

/** A delay or time limit that becomes a timer: from `min` to {@link MAX_TIMER_MILLIS}. */
export function checkMillis(option: string, value: number | undefined, min: number): number | undefined {
  return checkNumber(option, value, min, MAX_TIMER_MILLIS);
}
