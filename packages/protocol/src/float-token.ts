/**
 * A float tensor element of an answer that JSON.stringify cannot write as
 * it is: NaN, Infinity and -Infinity, which JSON has no number for and it
 * writes as `null`, losing which it was, and -0, which it writes as `0`.
 * `stringifyJson` writes each as its token: the first three as Triton
 * writes them (rapidjson's `kWriteNanAndInfFlag`) and TensorFlow Serving's
 * REST API documents, and -0 as `-0.0`, as Triton and Python's `json`
 * write it. `Number(element)` is its value and a template string shows its
 * token, as the classification extension ranks and prints scores.
 */
export class FloatToken {
  static readonly NAN = new FloatToken('NaN', NaN);
  static readonly INFINITY = new FloatToken('Infinity', Infinity);
  static readonly NEGATIVE_INFINITY = new FloatToken('-Infinity', -Infinity);
  static readonly NEGATIVE_ZERO = new FloatToken('-0.0', -0);

  private constructor(
    readonly token: string,
    readonly value: number,
  ) {}

  /** The token of a non-finite number. */
  static ofNonFinite(value: number): FloatToken {
    if (value > 0) return FloatToken.INFINITY;
    return value < 0 ? FloatToken.NEGATIVE_INFINITY : FloatToken.NAN;
  }

  /**
   * JSON.stringify cannot write the token: it stops here, as at a bigint,
   * and `stringifyJson` writes the answer itself.
   */
  toJSON(): never {
    throw new TypeError(`${this.token} is no number JSON.stringify writes as it is`);
  }

  valueOf(): number {
    return this.value;
  }

  toString(): string {
    return this.token;
  }
}
