import { expect } from 'chai';
import { InferenceError } from '../src/index.js';

/** Calls `fn` and returns the InferenceError it throws; fails if it throws nothing or something else. */
export function thrown(fn: () => unknown): InferenceError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(InferenceError);
    return error as InferenceError;
  }
  throw new Error('expected an InferenceError, but nothing was thrown');
}
