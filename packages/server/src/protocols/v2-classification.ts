import type { InferRequest, Tensor } from '@inferlens/protocol';
import { encodeJsonValues, invalidInput, stringifyJson } from '@inferlens/protocol';

/** The output parameter of the classification extension: how many top classes to return. */
const CLASSIFICATION_PARAMETER = 'classification';

/**
 * Orders class indices by their scores, highest first and NaN last. A
 * subtraction would compare a NaN as equal to every score, and one such
 * score would leave the others out of order (1 ranked above 3).
 */
function byScoreDescending(scores: readonly number[]): (a: number, b: number) => number {
  return (a, b) => {
    const x = scores[a];
    const y = scores[b];
    if (Number.isNaN(x) || Number.isNaN(y)) return Number(Number.isNaN(x)) - Number(Number.isNaN(y));
    return x < y ? 1 : x > y ? -1 : 0;
  };
}

/**
 * The number of top classes an output asks for, or undefined when it asks
 * for the raw tensor.
 */
export function requestedClassCount(request: InferRequest, outputName: string): number | undefined {
  const count = request.outputs?.find((output) => output.name === outputName)?.parameters?.[CLASSIFICATION_PARAMETER];
  if (count === undefined) return undefined;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw invalidInput(
      `output '${outputName}': ${CLASSIFICATION_PARAMETER} must be a positive integer, got ${stringifyJson(count)}`,
    );
  }
  return count;
}

/**
 * Triton's classification extension: replaces a scores tensor of shape
 * `[batch, classes]` (or `[classes]`) by the `count` highest scores of each
 * row as BYTES `"<score>:<index>"`, with `":<label>"` appended when the
 * model's config names the class. A `count` past the classes gives them
 * all, as Triton answers it. An output the model declares as one
 * dynamic axis (`declared`: `[-1]`) holds one value per row, a predicted
 * label rather than scores, and is refused.
 */
export function classify(
  tensor: Tensor,
  count: number,
  labels: readonly string[],
  declared: readonly number[] | undefined,
): Tensor {
  if (tensor.datatype === 'BYTES' || tensor.datatype === 'BOOL' || tensor.shape.length === 0) {
    throw invalidInput(`output '${tensor.name}' holds no class scores to classify (${tensor.datatype})`);
  }
  if (declared?.length === 1 && declared[0] < 0) {
    throw invalidInput(`output '${tensor.name}' holds one value per row, not class scores to classify`);
  }
  const classes = tensor.shape[tensor.shape.length - 1];
  const kept = Math.min(count, classes);
  // 64-bit scores past 2^53 are bigints, and a float's NaN, infinity or -0 a FloatToken:
  // each ranked by its number (Number()), printed with all its digits or as its token.
  const scores = encodeJsonValues(tensor.datatype, tensor.values);
  const rows = scores.length / classes;
  const values: string[] = [];
  for (let row = 0; row < rows; row++) {
    const offset = row * classes;
    const rowScores = Array.from({ length: classes }, (_, index) => Number(scores[offset + index]));
    const ranked = Array.from({ length: classes }, (_, index) => index).sort(byScoreDescending(rowScores));
    for (const index of ranked.slice(0, kept)) {
      const label = labels[index];
      values.push(`${String(scores[offset + index])}:${index}${label === undefined ? '' : `:${label}`}`);
    }
  }
  const shape = [...tensor.shape.slice(0, -1), kept];
  return { name: tensor.name, datatype: 'BYTES', shape, values };
}
