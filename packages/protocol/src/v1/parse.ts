import { invalidRequest } from '../errors.js';
import type { PredictPayload } from './types.js';
import type { JsonPathTest } from '../json-non-finite.js';
import { isJsonObject } from '../json-object.js';

/** Reads a V1 predict body, which must hold exactly one of `instances` and `inputs`. */
export function parsePredictRequest(body: unknown): PredictPayload {
  if (!isJsonObject(body)) throw invalidRequest('the request body must be a JSON object with "instances" or "inputs"');
  const { instances, inputs } = body;
  if (instances !== undefined && inputs !== undefined) {
    throw invalidRequest('the request body must hold "instances" or "inputs", not both');
  }
  if (instances !== undefined) {
    if (!Array.isArray(instances) || instances.length === 0) {
      throw invalidRequest('"instances" must be a non-empty array');
    }
    return { kind: 'rows', rows: instances };
  }
  if (inputs === undefined) throw invalidRequest('the request body must hold "instances" or "inputs"');
  if (Array.isArray(inputs)) {
    if (inputs.length === 0) throw invalidRequest('"inputs" must not be empty');
    return { kind: 'rows', rows: inputs };
  }
  if (!isJsonObject(inputs) || Object.keys(inputs).length === 0) {
    throw invalidRequest('"inputs" must be a non-empty array or an object of named inputs');
  }
  return { kind: 'columns', columns: inputs };
}

/**
 * Where a predict body holds tensor elements: anywhere in `instances` or
 * `inputs` (rows, named inputs and columns alike). Only there may its JSON
 * hold NaN, Infinity and -Infinity (see `parseJsonText`).
 */
export const V1_TENSOR_DATA: JsonPathTest = (path) =>
  path.length > 1 && (path[0] === 'instances' || path[0] === 'inputs');
