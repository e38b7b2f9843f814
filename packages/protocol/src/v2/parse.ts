import { isDatatype } from '../datatypes.js';
import { invalidRequest } from '../errors.js';
import type { InferRequest, InferRequestInput, Parameters, RequestedOutput } from './types.js';
import { BINARY_DATA, BINARY_DATA_OUTPUT, BINARY_DATA_SIZE } from './types.js';
import type { JsonPathTest } from '../json-non-finite.js';
import { isJsonObject } from '../json-object.js';
import { showJsonValue, stringifyJson } from '../json-text.js';

/** What a field holds, for messages that say what was expected and what came instead. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  // As other messages show a client's value: null as written, an array or an object by its kind.
  if (typeof value === 'object') return showJsonValue(value);
  return `${typeof value} ${stringifyJson(value)}`;
}

function parseParameters(value: unknown, where: string): Parameters | undefined {
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) throw invalidRequest(`${where}.parameters must be an object, got ${describe(value)}`);
  for (const [key, item] of Object.entries(value)) {
    const type = typeof item;
    if (type !== 'string' && type !== 'number' && type !== 'bigint' && type !== 'boolean') {
      throw invalidRequest(`${where}.parameters.${key} must be a string, number or boolean, got ${describe(item)}`);
    }
  }
  return value as Parameters;
}

/**
 * The binary tensor data extension's switches are booleans: a `"true"` or
 * a `1` is refused, as Triton refuses it, rather than read as false and
 * answered in JSON the client did not ask for.
 */
function checkBooleanParameter(parameters: Parameters | undefined, key: string, where: string): void {
  const value = parameters?.[key];
  if (value !== undefined && typeof value !== 'boolean') {
    throw invalidRequest(`${where}.parameters.${key} must be a boolean, got ${describe(value)}`);
  }
}

function parseShape(value: unknown, where: string): number[] {
  if (!Array.isArray(value))
    throw invalidRequest(`${where}.shape must be an array of integers, got ${describe(value)}`);
  for (const dim of value) {
    // Safe integers only: past 2^53 a dimension is no exact count (one with all its digits arrives as a bigint).
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      // A dimension that is an array or object is named by its kind (see showJsonValue), not written out.
      const shown = typeof dim === 'object' && dim !== null ? `${showJsonValue(dim)} among them` : stringifyJson(value);
      throw invalidRequest(`${where}.shape must hold non-negative integers, got ${shown}`);
    }
  }
  return value as number[];
}

function parseInput(value: unknown, index: number): InferRequestInput {
  const where = `inputs[${index}]`;
  if (!isJsonObject(value)) throw invalidRequest(`${where} must be an object, got ${describe(value)}`);
  const { name, datatype, data } = value;
  if (typeof name !== 'string' || name === '') throw invalidRequest(`${where}.name must be a non-empty string`);
  const named = `input '${name}'`;
  if (!isDatatype(datatype)) {
    throw invalidRequest(`${named}: datatype must be one of the protocol's datatypes, got ${describe(datatype)}`);
  }
  const shape = parseShape(value.shape, named);
  const parameters = parseParameters(value.parameters, named);
  const binary = parameters?.[BINARY_DATA_SIZE] !== undefined;
  if (data === undefined) {
    if (!binary) throw invalidRequest(`${named} has no data (and no ${BINARY_DATA_SIZE} parameter)`);
  } else if (!Array.isArray(data)) {
    throw invalidRequest(`${named}: data must be an array, got ${describe(data)}`);
  } else if (binary) {
    // Triton refuses this too: neither way of reading the input is the client's evident intent.
    throw invalidRequest(`${named} gives both data and parameters.${BINARY_DATA_SIZE}; send its elements one way`);
  }
  const input: InferRequestInput = { name, datatype, shape };
  if (parameters !== undefined) input.parameters = parameters;
  if (data !== undefined) input.data = data as unknown[];
  return input;
}

function parseRequestedOutput(value: unknown, index: number): RequestedOutput {
  const where = `outputs[${index}]`;
  if (!isJsonObject(value)) throw invalidRequest(`${where} must be an object, got ${describe(value)}`);
  if (typeof value.name !== 'string' || value.name === '') {
    throw invalidRequest(`${where}.name must be a non-empty string`);
  }
  const output: RequestedOutput = { name: value.name };
  const named = `output '${value.name}'`;
  const parameters = parseParameters(value.parameters, named);
  checkBooleanParameter(parameters, BINARY_DATA, named);
  if (parameters !== undefined) output.parameters = parameters;
  return output;
}

function checkUniqueNames(items: readonly { name: string }[], what: string): void {
  const seen = new Set<string>();
  for (const { name } of items) {
    if (seen.has(name)) throw invalidRequest(`${what} '${name}' appears more than once`);
    seen.add(name);
  }
}

/**
 * Checks the structure of an infer request body: every field the protocol
 * names has the right JSON type. Whether the tensors fit the model is the
 * model's check, not this one's.
 */
export function parseInferRequest(body: unknown): InferRequest {
  if (!isJsonObject(body)) throw invalidRequest(`the request body must be a JSON object, got ${describe(body)}`);
  if (!Array.isArray(body.inputs) || body.inputs.length === 0) {
    throw invalidRequest(`'inputs' must be a non-empty array, got ${describe(body.inputs)}`);
  }
  const request: InferRequest = { inputs: body.inputs.map(parseInput) };
  checkUniqueNames(request.inputs, 'input');
  if (body.id !== undefined) {
    if (typeof body.id !== 'string') throw invalidRequest(`'id' must be a string, got ${describe(body.id)}`);
    request.id = body.id;
  }
  const parameters = parseParameters(body.parameters, 'request');
  checkBooleanParameter(parameters, BINARY_DATA_OUTPUT, 'request');
  if (parameters !== undefined) request.parameters = parameters;
  if (body.outputs !== undefined) {
    if (!Array.isArray(body.outputs)) throw invalidRequest(`'outputs' must be an array, got ${describe(body.outputs)}`);
    request.outputs = body.outputs.map(parseRequestedOutput);
    checkUniqueNames(request.outputs, 'output');
  }
  return request;
}

/**
 * Where an infer body holds tensor elements: each input's `data`. Only
 * there may its JSON hold NaN, Infinity and -Infinity (see `parseJsonText`).
 */
export const V2_TENSOR_DATA: JsonPathTest = (path) =>
  path.length > 3 && path[0] === 'inputs' && typeof path[1] === 'number' && path[2] === 'data';
