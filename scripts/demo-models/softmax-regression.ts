/**
 * Multinomial logistic (softmax) regression trained by full-batch gradient
 * descent. Everything is deterministic: weights start at zero (the loss is
 * convex, so no random initialisation is needed) and every epoch visits the
 * rows in the same order.
 */

export interface TrainingOptions {
  readonly epochs: number;
  readonly learningRate: number;
}

/** A linear classifier on raw (unstandardised) features: logits = x · weights + bias. */
export interface LinearClassifier {
  /** One row per feature, one column per class. */
  readonly weights: readonly (readonly number[])[];
  /** One entry per class. */
  readonly bias: readonly number[];
}

interface ColumnStatistics {
  readonly mean: readonly number[];
  readonly standardDeviation: readonly number[];
}

/**
 * Trains on standardised features, so a single learning rate suits features of
 * different scales, then folds the standardisation into the weights and bias:
 * the classifier it returns takes raw measurements.
 * @param labels class index of each row, in [0, classCount)
 */
export function trainSoftmaxRegression(
  features: readonly (readonly number[])[],
  labels: readonly number[],
  classCount: number,
  options: TrainingOptions,
): LinearClassifier {
  if (features.length === 0 || features.length !== labels.length) {
    throw new RangeError(`${features.length} feature rows for ${labels.length} labels`);
  }
  const statistics = columnStatistics(features);
  const standardised = features.map((row) =>
    row.map((value, j) => (value - statistics.mean[j]) / statistics.standardDeviation[j]),
  );
  const featureCount = statistics.mean.length;
  const weights = zeros(featureCount, classCount);
  const bias = new Array<number>(classCount).fill(0);

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const weightGradient = zeros(featureCount, classCount);
    const biasGradient = new Array<number>(classCount).fill(0);
    standardised.forEach((row, i) => {
      // The cross-entropy gradient with respect to the logits is p - onehot(label).
      const error = softmax(logits(row, weights, bias));
      error[labels[i]] -= 1;
      for (let k = 0; k < classCount; k++) {
        row.forEach((value, j) => (weightGradient[j][k] += value * error[k]));
        biasGradient[k] += error[k];
      }
    });
    const step = options.learningRate / standardised.length;
    for (let k = 0; k < classCount; k++) {
      weights.forEach((weightRow, j) => (weightRow[k] -= step * weightGradient[j][k]));
      bias[k] -= step * biasGradient[k];
    }
  }
  return foldStandardisation({ weights, bias }, statistics);
}

/** Turns a classifier of standardised features (x - mean) / sd into one of raw features. */
function foldStandardisation(model: LinearClassifier, statistics: ColumnStatistics): LinearClassifier {
  const weights = model.weights.map((row, j) => row.map((weight) => weight / statistics.standardDeviation[j]));
  const bias = model.bias.map(
    (value, k) => value - weights.reduce((sum, row, j) => sum + statistics.mean[j] * row[k], 0),
  );
  return { weights, bias };
}

function columnStatistics(rows: readonly (readonly number[])[]): ColumnStatistics {
  const mean = rows[0].map((_, j) => rows.reduce((sum, row) => sum + row[j], 0) / rows.length);
  const standardDeviation = mean.map((m, j) => {
    const variance = rows.reduce((sum, row) => sum + (row[j] - m) ** 2, 0) / rows.length;
    // A constant feature carries no information; leaving it unscaled keeps it at 0 instead of NaN.
    return variance > 0 ? Math.sqrt(variance) : 1;
  });
  return { mean, standardDeviation };
}

function logits(row: readonly number[], weights: LinearClassifier['weights'], bias: readonly number[]): number[] {
  return bias.map((b, k) => row.reduce((sum, value, j) => sum + value * weights[j][k], b));
}

function softmax(values: readonly number[]): number[] {
  // Subtracting the maximum keeps exp() from overflowing without changing the result.
  const max = Math.max(...values);
  const exps = values.map((value) => Math.exp(value - max));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

function zeros(rows: number, columns: number): number[][] {
  return Array.from({ length: rows }, () => new Array<number>(columns).fill(0));
}
