import { expect } from 'chai';
import type { JsonPath } from '../src/index.js';
import {
  decodeJsonValues,
  encodeJsonValues,
  parseJsonText,
  stringifyJson,
  V1_TENSOR_DATA,
  V2_TENSOR_DATA,
} from '../src/index.js';
import { thrown } from './thrown.js';

/** Where a test lets the tokens be: anywhere under `data`. */
const underData = (path: JsonPath): boolean => path[0] === 'data';

describe('NaN and the infinities in JSON text', () => {
  it('reads the tokens Python and Triton write as numbers where tensor data may hold them', () => {
    const text = '{"data":[NaN, Infinity, -Infinity, 1.5, [Inf, -Inf, -NaN]]}';
    expect(parseJsonText(text, underData)).to.deep.equal({
      data: [NaN, Infinity, -Infinity, 1.5, [Infinity, -Infinity, NaN]],
    });
  });

  it('keeps the tokens in strings as text', () => {
    expect(parseJsonText('{"data":["NaN", NaN, "x\\"NaN"],"id":"Infinity"}', underData)).to.deep.equal({
      data: ['NaN', NaN, 'x"NaN'],
      id: 'Infinity',
    });
  });

  it('reads integers past 2^53 as bigints alongside them, as without them', () => {
    expect(parseJsonText('{"data":[NaN,9007199254740993,-0,1e3]}', underData)).to.deep.equal({
      data: [NaN, 9007199254740993n, -0, 1000],
    });
  });

  it('refuses the tokens elsewhere as invalid JSON, naming the token and where it is', () => {
    expect(() => parseJsonText('{"data":[1],"other":NaN}', underData)).to.throw(
      SyntaxError,
      /^NaN at position 20 is not JSON; it is read only as an element of a float tensor's data$/,
    );
    expect(() => parseJsonText('{"data":[NaN]}')).to.throw(SyntaxError);
  });

  it('refuses other spellings and broken tokens', () => {
    for (const token of ['nan', 'inf', 'infinity', '+Infinity', 'NaNa', 'Infinit', '- Infinity', 'N']) {
      expect(() => parseJsonText(`{"data":[${token}]}`, underData), token).to.throw(SyntaxError);
    }
  });

  it('reads everything else as JSON.parse does, and refuses what it refuses', () => {
    const valid = [
      '{"data":[NaN],"a":{"b":[true,false,null,"\\u00e9\\n",-1.5e-3,0,{}]},"__proto__":{"x":1},"a":2}',
      ' \t\n\r{"data":[NaN] , "s" : "\\ud83d\\ude00 \ud800"}\n',
    ];
    for (const text of valid) {
      const read = parseJsonText(text, underData) as Record<string, unknown>;
      const expected = JSON.parse(text.replaceAll('[NaN]', '[null]')) as Record<string, unknown>;
      expect({ ...read, data: [null] }).to.deep.equal(expected);
      expect(Object.getPrototypeOf(read)).to.equal(Object.prototype);
    }
    const invalid = [
      '{"data":[NaN],}',
      '{"data":[NaN,]}',
      '{"data":[NaN]',
      '{"data":[NaN]} x',
      '{"data":[NaN],"s":"a\nb"}',
      '{"data":[NaN],"s":"\\x"}',
      '{"data":[NaN],"n":01}',
      '{"data":[NaN],"n":-}',
      '{"data":[NaN],"n":1.}',
      '{"data":[NaN],"t":tru}',
      "{'data':[NaN]}",
      '\uFEFF{"data":[NaN]}',
    ];
    for (const text of invalid) expect(() => parseJsonText(text, underData), text).to.throw(SyntaxError);
  });

  it('lets V2 tensor data hold them, and V1 instances and inputs', () => {
    const v2 = parseJsonText(
      '{"inputs":[{"name":"x","datatype":"FP32","shape":[2],"data":[[NaN],[-Infinity]]}]}',
      V2_TENSOR_DATA,
    );
    expect(v2).to.deep.equal({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2], data: [[NaN], [-Infinity]] }] });
    for (const text of [
      '{"inputs":[{"name":"x","datatype":"FP32","shape":[NaN],"data":[1]}]}',
      '{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1],"parameters":{"p":NaN}}]}',
      '{"inputs":[],"parameters":{"p":Infinity}}',
    ]) {
      expect(() => parseJsonText(text, V2_TENSOR_DATA), text).to.throw(SyntaxError, /is not JSON/);
    }
    expect(parseJsonText('{"instances":[[NaN],{"x":Infinity}]}', V1_TENSOR_DATA)).to.deep.equal({
      instances: [[NaN], { x: Infinity }],
    });
    expect(parseJsonText('{"inputs":{"x":[-Infinity]}}', V1_TENSOR_DATA)).to.deep.equal({
      inputs: { x: [-Infinity] },
    });
    expect(() => parseJsonText('{"instances":[1],"signature_name":NaN}', V1_TENSOR_DATA)).to.throw(SyntaxError);
  });
});

describe('NaN and the infinities as tensor elements', () => {
  it('takes them as elements of every float datatype', () => {
    const values = [NaN, Infinity, -Infinity, 1];
    expect(Array.from(decodeJsonValues('FP32', values, 'x') as Float32Array)).to.deep.equal(values);
    expect(Array.from(decodeJsonValues('FP64', values, 'x') as Float64Array)).to.deep.equal(values);
    expect(Array.from(decodeJsonValues('FP16', values, 'x') as Uint16Array)).to.deep.equal([
      0x7e00, 0x7c00, 0xfc00, 0x3c00,
    ]);
    expect(Array.from(decodeJsonValues('BF16', values, 'x') as Uint16Array)).to.deep.equal([
      0x7fc0, 0x7f80, 0xff80, 0x3f80,
    ]);
  });

  it('refuses them for integer, BOOL and BYTES tensors, naming the element', () => {
    expect(thrown(() => decodeJsonValues('INT32', [1, NaN], 'i')).message).to.equal(
      "input 'i': element 1 is NaN, which is not a valid INT32 value",
    );
    expect(thrown(() => decodeJsonValues('INT64', [Infinity], 'l')).message).to.equal(
      "input 'l': element 0 is Infinity, which is not a valid INT64 value",
    );
    expect(thrown(() => decodeJsonValues('BOOL', [-Infinity], 'b')).message).to.equal(
      "input 'b': element 0 is -Infinity, which is not a valid BOOL value",
    );
    expect(thrown(() => decodeJsonValues('BYTES', [NaN], 's')).status).to.equal(400);
  });

  it('writes them as NaN, Infinity and -Infinity in the answers of every float datatype', () => {
    const cases = [
      ['FP32', Float32Array.of(NaN, Infinity, -Infinity, 0.1)],
      ['FP64', Float64Array.of(NaN, Infinity, -Infinity, 0.1)],
      ['FP16', Uint16Array.of(0x7e00, 0x7c00, 0xfc00, 0x2e66)],
      ['BF16', Uint16Array.of(0xffc0, 0x7f80, 0xff80, 0x3dcd)],
    ] as const;
    const printed = { FP32: '0.1', FP64: '0.1', FP16: '0.0999755859375', BF16: '0.10009765625' };
    for (const [datatype, values] of cases) {
      const body = { outputs: [{ datatype, data: encodeJsonValues(datatype, values) }] };
      expect(stringifyJson(body), datatype).to.equal(
        `{"outputs":[{"datatype":"${datatype}","data":[NaN,Infinity,-Infinity,${printed[datatype]}]}]}`,
      );
    }
  });

  it('writes them beside 64-bit integers past 2^53, and numbers outside tensor data as JSON.stringify does', () => {
    const body = {
      a: encodeJsonValues('FP32', Float32Array.of(NaN)),
      b: encodeJsonValues('INT64', BigInt64Array.of(-(2n ** 63n))),
      c: [NaN, undefined, () => 1],
      d: undefined,
      e: new Date(0),
    };
    expect(stringifyJson(body)).to.equal(
      '{"a":[NaN],"b":[-9223372036854775808],"c":[null,null,null],"e":"1970-01-01T00:00:00.000Z"}',
    );
  });
});
