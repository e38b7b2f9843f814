/** Predict bodies for the demo `iris` model (models/iris), shared by the tests that run `inferlens serve`. */

/**
 * A KServe V1 predict body: two rows of four features. Sent byte for byte:
 * its spaces and `6.0` would not survive a re-serialisation of the parsed body.
 */
export const IRIS_V1_BODY = '{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}';

/** An Open Inference V2 body the model answers 400: a [2, 3] input where it takes [n, 4]. */
export const IRIS_V2_BAD_SHAPE =
  '{"inputs": [{"name": "input", "shape": [2, 3], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6]}]}';
