import type { FloatToken, PredictPayload, Tensor } from '@inferlens/protocol';
import { decodeBase64Values, encodeJsonValues, invalidInput, nestFlat } from '@inferlens/protocol';
import type { EmbeddingResult } from '../runtime/text-graph.js';
import { EMBEDDING_OUTPUT, TEXT_INPUT } from '../runtime/text-embedder.js';

/** V1 instances of a text-embedding model: one text each, plain or as TensorFlow Serving's `{"b64": ...}`. */
export function textsOfInstances(payload: PredictPayload): string[] {
  const rows = payload.kind === 'rows' ? decodeBase64Values(payload.rows, TEXT_INPUT) : [];
  if (payload.kind === 'columns' || !rows.every((row) => typeof row === 'string')) {
    throw invalidInput('a text-embedding model takes one text per instance: {"instances": ["text", ...]}');
  }
  return rows;
}

/**
 * The texts of a V2 request: one BYTES input of shape `[n]` (or `[n, 1]`),
 * whatever its name, as KServe's Hugging Face runtime reads them.
 */
export function textsOfTensors(tensors: readonly Tensor[]): string[] {
  const [tensor] = tensors;
  if (tensors.length !== 1 || tensor.datatype !== 'BYTES') {
    throw invalidInput(
      `a text-embedding model takes one BYTES input of texts ('${TEXT_INPUT}', shape [n]); got ${tensors.map((t) => `'${t.name}' ${t.datatype}`).join(', ')}`,
    );
  }
  const [count, width = 1, ...rest] = tensor.shape;
  if (count === undefined || width !== 1 || rest.length > 0) {
    throw invalidInput(
      `input '${tensor.name}': expected shape [n] or [n, 1] of texts, got [${tensor.shape.join(', ')}]`,
    );
  }
  return tensor.values as string[];
}

/** The vectors as V2's FP32 output of shape `[n, dimension]`. */
export function embeddingTensor(result: EmbeddingResult): Tensor {
  return { name: EMBEDDING_OUTPUT, datatype: 'FP32', shape: [result.count, result.dimension], values: result.vectors };
}

/** The vectors as rows of JSON numbers, printed at float32 precision; `stringifyJson` writes a -0 as `-0.0`. */
export function embeddingRows(result: EmbeddingResult): (number | FloatToken)[][] {
  const elements = encodeJsonValues('FP32', result.vectors);
  return nestFlat(elements, [result.count, result.dimension]) as (number | FloatToken)[][];
}
