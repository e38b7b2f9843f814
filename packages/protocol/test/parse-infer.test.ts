import { expect } from 'chai';
import type { InferRequestInput } from '../src/index.js';
import { binaryDataSize, decodeInput, parseInferRequest } from '../src/index.js';
import { thrown } from './thrown.js';

const input = { name: 'x', shape: [2], datatype: 'FP32', data: [1, 2] };
/** Nested deeper than JSON.stringify can recurse. */
const DEEP_ARRAY: unknown = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);

describe('parseInferRequest', () => {
  it('reads a full request: id, parameters, inputs and requested outputs', () => {
    const body = {
      id: '42',
      parameters: { priority: 1, tag: 'a', fast: true },
      inputs: [
        { ...input, parameters: { note: 'x' } },
        { name: 'y', shape: [1], datatype: 'BYTES', data: ['s'] },
      ],
      outputs: [{ name: 'out', parameters: { binary_data: true } }],
    };
    expect(parseInferRequest(body)).to.deep.equal(body);
  });

  it('keeps a parameter past 2^53, which arrives as a bigint, with all its digits', () => {
    const body = { inputs: [{ ...input, parameters: { sequence_id: 18446744073709551615n } }] };
    expect(parseInferRequest(body).inputs[0].parameters).to.deep.equal({ sequence_id: 18446744073709551615n });
  });

  it('accepts an input without data that names its binary size', () => {
    const binary = { name: 'x', shape: [2], datatype: 'FP32', parameters: { binary_data_size: 8 } };
    const request = parseInferRequest({ inputs: [binary] });
    expect(request.inputs[0]).to.not.have.property('data');
  });

  const withInput = (fields: object): unknown => ({ inputs: [{ ...input, ...fields }] });
  const structuralErrors: [string, unknown, string][] = [
    ['a body that is not an object', [1], 'the request body must be a JSON object, got an array'],
    ['a null body', null, 'the request body must be a JSON object, got null'],
    ['no inputs', {}, "'inputs' must be a non-empty array, got nothing (the field is missing)"],
    ['empty inputs', { inputs: [] }, "'inputs' must be a non-empty array"],
    ['an input that is not an object', { inputs: [5] }, 'inputs[0] must be an object, got number 5'],
    ['an input without a name', withInput({ name: '' }), 'inputs[0].name must be a non-empty string'],
    [
      'an unknown datatype',
      withInput({ datatype: 'FLOAT32' }),
      `input 'x': datatype must be one of the protocol's datatypes, got string "FLOAT32"`,
    ],
    ['a lower-case datatype', withInput({ datatype: 'fp32' }), `got string "fp32"`],
    [
      'a shape that is not an array',
      withInput({ shape: 2 }),
      "input 'x'.shape must be an array of integers, got number 2",
    ],
    [
      'an input without a shape',
      { inputs: [{ name: 'x', datatype: 'FP32', data: [1] }] },
      "input 'x'.shape must be an array of integers, got nothing (the field is missing)",
    ],
    [
      'an input without a datatype',
      { inputs: [{ name: 'x', shape: [1], data: [1] }] },
      "input 'x': datatype must be one of the protocol's datatypes, got nothing (the field is missing)",
    ],
    ['a negative dimension', withInput({ shape: [-1] }), "input 'x'.shape must hold non-negative integers, got [-1]"],
    ['a fractional dimension', withInput({ shape: [1.5] }), 'must hold non-negative integers, got [1.5]'],
    ['a string dimension', withInput({ shape: ['2'] }), 'must hold non-negative integers'],
    [
      'a dimension past 2^53',
      withInput({ shape: [9007199254740993n] }),
      'must hold non-negative integers, got [9007199254740993]',
    ],
    [
      'a dimension that nests arrays deeply',
      withInput({ shape: [1, DEEP_ARRAY] }),
      "input 'x'.shape must hold non-negative integers, got an array among them",
    ],
    // The same value written with an exponent arrives as a number, not a bigint, and is refused alike.
    ['a dimension past 2^53 written with an exponent', withInput({ shape: [0, 1e21] }), 'got [0,1e+21]'],
    ['data that is not an array', withInput({ data: 'abc' }), `input 'x': data must be an array, got string "abc"`],
    [
      'no data and no binary size',
      { inputs: [{ name: 'x', shape: [2], datatype: 'FP32' }] },
      "input 'x' has no data (and no binary_data_size parameter)",
    ],
    [
      'parameters that are not an object',
      withInput({ parameters: [] }),
      "input 'x'.parameters must be an object, got an array",
    ],
    [
      'a parameter that is an object',
      { inputs: [input], parameters: { nested: {} } },
      'request.parameters.nested must be a string, number or boolean, got an object',
    ],
    [
      'a parameter that is null',
      { inputs: [input], parameters: { none: null } },
      'request.parameters.none must be a string, number or boolean, got null',
    ],
    ['two inputs of one name', { inputs: [input, input] }, "input 'x' appears more than once"],
    ['an id that is not a string', { inputs: [input], id: 42 }, "'id' must be a string, got number 42"],
    [
      'an id that is an integer past 2^53',
      { inputs: [input], id: 9007199254740993n },
      "'id' must be a string, got bigint 9007199254740993",
    ],
    ['outputs that are not an array', { inputs: [input], outputs: {} }, "'outputs' must be an array, got an object"],
    ['an output without a name', { inputs: [input], outputs: [{}] }, 'outputs[0].name must be a non-empty string'],
    [
      'an output that is not an object',
      { inputs: [input], outputs: ['y'] },
      `outputs[0] must be an object, got string "y"`,
    ],
    [
      'an input with both data and binary_data_size',
      withInput({ parameters: { binary_data_size: 8 } }),
      "input 'x' gives both data and parameters.binary_data_size; send its elements one way",
    ],
    [
      'an output whose binary_data is not a boolean',
      { inputs: [input], outputs: [{ name: 'y', parameters: { binary_data: 'true' } }] },
      `output 'y'.parameters.binary_data must be a boolean, got string "true"`,
    ],
    [
      'a binary_data_output that is not a boolean',
      { inputs: [input], parameters: { binary_data_output: 1 } },
      'request.parameters.binary_data_output must be a boolean, got number 1',
    ],
    [
      'two outputs of one name',
      { inputs: [input], outputs: [{ name: 'y' }, { name: 'y' }] },
      "output 'y' appears more",
    ],
  ];
  for (const [what, body, message] of structuralErrors) {
    it(`rejects ${what} with 400`, () => {
      const error = thrown(() => parseInferRequest(body));
      expect(error.kind).to.equal('INVALID_REQUEST');
      expect(error.status).to.equal(400);
      expect(error.message).to.include(message);
    });
  }
});

describe('decodeInput', () => {
  it('decodes nested JSON data into a typed tensor of the declared shape', () => {
    const tensor = decodeInput({
      name: 'x',
      shape: [2, 2],
      datatype: 'INT32',
      data: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(tensor).to.deep.include({ name: 'x', datatype: 'INT32', shape: [2, 2] });
    expect(tensor.values).to.deep.equal(Int32Array.of(1, 2, 3, 4));
  });

  it('rejects data whose element count differs from the shape', () => {
    const error = thrown(() => decodeInput({ name: 'x', shape: [3], datatype: 'BOOL', data: [true] }));
    expect(error.kind).to.equal('INVALID_INPUT');
    expect(error.message).to.equal("input 'x': shape [3] holds 3 elements, but data has 1");
  });

  it('decodes binary data, and rejects an input that names binary data the body lacks', () => {
    const declared: InferRequestInput = {
      name: 'x',
      shape: [2],
      datatype: 'UINT16',
      parameters: { binary_data_size: 4 },
    };
    expect(decodeInput(declared, Uint8Array.of(1, 0, 2, 1)).values).to.deep.equal(Uint16Array.of(1, 258));
    expect(thrown(() => decodeInput(declared)).message).to.equal("input 'x' names binary data, but the body has none");
  });
});

describe('binaryDataSize', () => {
  it('gives the declared size of a binary input, and nothing for a JSON input', () => {
    expect(binaryDataSize({ name: 'x', shape: [2], datatype: 'FP32', parameters: { binary_data_size: 8 } })).to.equal(
      8,
    );
    expect(binaryDataSize({ name: 'x', shape: [2], datatype: 'FP32', data: [1, 2] })).to.equal(undefined);
  });

  it('rejects a size that is not a non-negative integer', () => {
    for (const size of [-1, 1.5, '8']) {
      const declared: InferRequestInput = {
        name: 'x',
        shape: [2],
        datatype: 'FP32',
        parameters: { binary_data_size: size },
      };
      const error = thrown(() => binaryDataSize(declared));
      expect(error.message).to.equal("input 'x': binary_data_size must be a non-negative integer");
    }
  });
});
