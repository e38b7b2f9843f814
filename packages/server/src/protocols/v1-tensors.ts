import type { PredictPayload, Tensor, TensorMetadata } from '@inferlens/protocol';
import {
  decodeBase64Values,
  decodeJsonValues,
  encodeJsonValues,
  flattenNested,
  invalidInput,
  invalidRequest,
  isBase64Value,
  isJsonObject,
  nestFlat,
} from '@inferlens/protocol';
import type { ModelConfig } from '../repository/model-config.js';
import type { ModelSignature } from '../runtime/onnx-model.js';

/**
 * V1 carries no datatypes: JSON values are read as the model input's
 * datatype; a BYTES input also takes TensorFlow Serving's `{"b64": ...}`.
 */
function tensorFromNested(input: TensorMetadata, nested: unknown): Tensor {
  if (!Array.isArray(nested)) throw invalidInput(`input '${input.name}' must be an array with one entry per instance`);
  const flat = flattenNested(nested, input.name);
  const values = input.datatype === 'BYTES' ? decodeBase64Values(flat.values, input.name) : flat.values;
  return {
    name: input.name,
    datatype: input.datatype,
    shape: flat.shape,
    values: decodeJsonValues(input.datatype, values, input.name),
  };
}

/** An instance naming the inputs: an object, but not a `{"b64": ...}` value of a single input. */
function namesInputs(row: unknown): row is Record<string, unknown> {
  return isJsonObject(row) && !isBase64Value(row);
}

function columnOfRows(rows: readonly Record<string, unknown>[], name: string): unknown[] {
  return rows.map((row, index) => {
    if (!(name in row)) throw invalidInput(`instance ${index} lacks input '${name}'`);
    return row[name];
  });
}

function checkColumnNames(names: readonly string[], signature: ModelSignature): void {
  for (const name of names) {
    if (!signature.inputs.some((input) => input.name === name)) {
      const known = signature.inputs.map((input) => `'${input.name}'`).join(', ');
      throw invalidInput(`the model has no input '${name}'; its inputs are ${known}`);
    }
  }
}

/**
 * Reads V1 instances as the model's input tensors. Instances that are
 * objects name the inputs (`{"x": [...], "y": [...]}` per row); anything
 * else is the rows of a model's single input. Columns (`{"inputs": {...}}`)
 * give each input whole.
 */
export function predictPayloadToTensors(payload: PredictPayload, signature: ModelSignature): Tensor[] {
  if (payload.kind === 'columns') {
    checkColumnNames(Object.keys(payload.columns), signature);
    return signature.inputs.map((input) => {
      if (!(input.name in payload.columns)) throw invalidInput(`"inputs" lacks input '${input.name}'`);
      return tensorFromNested(input, payload.columns[input.name]);
    });
  }
  const { rows } = payload;
  // The first instance says which form they all take: a mix would read an object as a value of the single
  // input, refused for its type rather than its form.
  const naming = namesInputs(rows[0]);
  const odd = rows.findIndex((row) => namesInputs(row) !== naming);
  if (odd >= 0) {
    const [named, plain] = naming ? [0, odd] : [odd, 0];
    throw invalidInput(
      `instance ${named} names inputs and instance ${plain} does not: name them in every instance, or in none`,
    );
  }
  if (naming) {
    const named = rows as Record<string, unknown>[];
    for (const row of named) checkColumnNames(Object.keys(row), signature);
    return signature.inputs.map((input) => tensorFromNested(input, columnOfRows(named, input.name)));
  }
  if (signature.inputs.length !== 1) {
    const known = signature.inputs.map((input) => `'${input.name}'`).join(', ');
    throw invalidInput(
      `the model has ${signature.inputs.length} inputs (${known}): each instance must be an object naming them`,
    );
  }
  return [tensorFromNested(signature.inputs[0], rows)];
}

/**
 * The outputs V1 predictions are read from: the label output of a
 * classifier (KServe's sklearn server answers class labels; a classifier
 * without that output does not load), else all.
 */
export function predictionOutputs(signature: ModelSignature, config: ModelConfig): string[] {
  if (config.task === 'classification') return [config.labelOutput];
  return signature.outputs.map((output) => output.name);
}

function rowsOf(tensor: Tensor): unknown[] {
  const nested = nestFlat(encodeJsonValues(tensor.datatype, tensor.values), tensor.shape);
  return tensor.shape.length === 0 ? [nested] : (nested as unknown[]);
}

/** Why V1 cannot answer outputs that do not pair up one row per instance. */
const ONE_PER_INSTANCE = 'V1 answers one prediction per instance; ask V2 /infer for these outputs';

/**
 * One prediction per instance: the row of a single output, or an object of
 * every output's row. Outputs whose row counts differ are refused, as
 * TensorFlow Serving refuses them, since pairing them would drop values;
 * so is a scalar output beside others, which has no rows (TensorFlow
 * Serving refuses it too), whatever the batch size. A single scalar output
 * is the one prediction.
 */
export function tensorsToPredictions(outputs: readonly Tensor[]): unknown[] {
  if (outputs.length === 1) return rowsOf(outputs[0]);
  const scalar = outputs.find((output) => output.shape.length === 0);
  if (scalar !== undefined) {
    throw invalidRequest(`output '${scalar.name}' is a scalar, with no row for each instance: ${ONE_PER_INSTANCE}`);
  }
  const columns = outputs.map((output) => [output.name, rowsOf(output)] as const);
  const count = columns[0]?.[1].length ?? 0;
  const uneven = columns.find(([, rows]) => rows.length !== count);
  if (uneven !== undefined) {
    const [name, rows] = uneven;
    throw invalidRequest(
      `output '${name}' has ${rows.length} row${rows.length === 1 ? '' : 's'} and output '${columns[0][0]}' ${count}: ` +
        ONE_PER_INSTANCE,
    );
  }
  return Array.from({ length: count }, (_, row) =>
    Object.fromEntries(columns.map(([name, rows]) => [name, rows[row]])),
  );
}
