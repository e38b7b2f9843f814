/** The request bodies every scenario sends; the same bytes go to every server compared. */

/** The two instances of KServe's own iris example. */
const IRIS_ROWS = [
  [6.8, 2.8, 4.8, 1.4],
  [6.0, 3.4, 4.5, 1.6],
];
const IRIS_FEATURES = 4;

export const IRIS_V1_PATH = '/v1/models/iris:predict';
export const IRIS_V2_PATH = '/v2/models/iris/infer';

/** KServe V1 predict. */
export const IRIS_V1_BODY = { instances: IRIS_ROWS };

/** Open Inference V2 infer of the same rows. */
export const IRIS_V2_BODY = {
  inputs: [{ name: 'input', shape: [IRIS_ROWS.length, IRIS_FEATURES], datatype: 'FP32', data: IRIS_ROWS.flat() }],
};

/** Digits kept per generated value: float32 carries about seven. */
const LARGE_VALUE_DIGITS = 6;

/**
 * An Open Inference V2 infer body of `rows` × `columns` FP32 values, the
 * same on every run: a fixed linear congruential sequence in [0, 1).
 */
export function largeV2Body(rows: number, columns: number): object {
  const data: number[] = [];
  // Numerical Recipes' LCG constants; any fixed sequence would do.
  let state = 1;
  for (let i = 0; i < rows * columns; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data.push(Number((state / 2 ** 32).toFixed(LARGE_VALUE_DIGITS)));
  }
  return { inputs: [{ name: 'input', shape: [rows, columns], datatype: 'FP32', data }] };
}
