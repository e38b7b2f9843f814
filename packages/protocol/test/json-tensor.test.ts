import { expect } from 'chai';
import type { Datatype, TensorValues } from '../src/index.js';
import {
  decodeJsonValues,
  encodeJsonValues,
  flattenNested,
  FloatToken,
  nestFlat,
  stringifyJson,
} from '../src/index.js';
import { thrown } from './thrown.js';

describe('flattenNested', () => {
  it('reads nested arrays in row-major order with their shape', () => {
    expect(
      flattenNested(
        [
          [1, 2],
          [4, 5],
        ],
        'x',
      ),
    ).to.deep.equal({ values: [1, 2, 4, 5], shape: [2, 2] });
    expect(flattenNested([[[1, 2, 3]], [[4, 5, 6]]], 'x')).to.deep.equal({
      values: [1, 2, 3, 4, 5, 6],
      shape: [2, 1, 3],
    });
  });

  it('returns a flat array as it is, with a one-dimensional shape', () => {
    const data = [1, 2, 3];
    const flat = flattenNested(data, 'x');
    expect(flat.shape).to.deep.equal([3]);
    expect(flat.values).to.equal(data);
  });

  it('reads empty arrays', () => {
    expect(flattenNested([], 'x')).to.deep.equal({ values: [], shape: [0] });
    expect(flattenNested([[], []], 'x')).to.deep.equal({ values: [], shape: [2, 0] });
  });

  it('rejects a row of another length, naming the input and where', () => {
    const error = thrown(() => flattenNested([[1, 2], [3]], 'rows'));
    expect(error.status).to.equal(400);
    expect(error.kind).to.equal('INVALID_INPUT');
    expect(error.message).to.equal("input 'rows' is not a rectangular array: at [1] expected 2 elements, got 1");
  });

  it('rejects a scalar where an array belongs, and an array where a scalar belongs', () => {
    const message = (data: unknown[]): string => thrown(() => flattenNested(data, 'x')).message;
    expect(message([[1], 2])).to.include('at [1] expected an array of 1, got a scalar');
    expect(message([1, [2]])).to.include('at [1] expected a scalar, got an array');
    expect(
      message([
        [1, [2]],
        [3, 4],
      ]),
    ).to.include('at [0][1] expected a scalar, got an array');
    expect(message([[[1]], [2]])).to.include('at [1][0] expected an array of 1, got a scalar');
  });
});

describe('nestFlat', () => {
  it('nests row-major values into the shape (the inverse of flattenNested)', () => {
    expect(nestFlat([1, 2, 4, 5], [2, 2])).to.deep.equal([
      [1, 2],
      [4, 5],
    ]);
    expect(nestFlat([1, 2, 3, 4, 5, 6], [2, 1, 3])).to.deep.equal([[[1, 2, 3]], [[4, 5, 6]]]);
    expect(nestFlat([1, 2, 3], [3])).to.deep.equal([1, 2, 3]);
    expect(nestFlat([], [2, 0])).to.deep.equal([[], []]);
  });

  it('gives the single value of a scalar shape', () => {
    expect(nestFlat([7], [])).to.equal(7);
  });

  it('round-trips with flattenNested', () => {
    const nested = [
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [
        [7, 8],
        [9, 10],
        [11, 12],
      ],
    ];
    const { values, shape } = flattenNested(nested, 'x');
    expect(nestFlat(values, shape)).to.deep.equal(nested);
  });
});

/** One datatype's valid JSON elements, what they decode to, and elements it rejects. */
interface DatatypeCase {
  readonly json: readonly unknown[];
  readonly decoded: TensorValues;
  /** What encodeJsonValues gives back for `decoded`; `json` when absent. */
  readonly encoded?: readonly unknown[];
  readonly invalid: readonly unknown[];
}

const CASES: Record<Datatype, DatatypeCase> = {
  BOOL: { json: [true, false], decoded: Uint8Array.of(1, 0), invalid: [1, 0, 'true', null] },
  UINT8: { json: [0, 255], decoded: Uint8Array.of(0, 255), invalid: [300, 256, -1, 1.5, '1'] },
  UINT16: { json: [0, 65535], decoded: Uint16Array.of(0, 65535), invalid: [65536, -1, 0.5] },
  UINT32: { json: [0, 4294967295], decoded: Uint32Array.of(0, 4294967295), invalid: [4294967296, -1] },
  UINT64: {
    json: [0, Number.MAX_SAFE_INTEGER],
    decoded: BigUint64Array.of(0n, 9007199254740991n),
    invalid: [-1, 1.5, 2 ** 64, '1'],
  },
  INT8: { json: [-128, 127], decoded: Int8Array.of(-128, 127), invalid: [-129, 128, 0.5] },
  INT16: { json: [-32768, 32767], decoded: Int16Array.of(-32768, 32767), invalid: [-32769, 32768] },
  INT32: {
    json: [-2147483648, 2147483647],
    decoded: Int32Array.of(-2147483648, 2147483647),
    invalid: [2147483648, -2147483649],
  },
  INT64: {
    json: [Number.MIN_SAFE_INTEGER, 0, Number.MAX_SAFE_INTEGER],
    decoded: BigInt64Array.of(-9007199254740991n, 0n, 9007199254740991n),
    // 2^53 as a number was written with an exponent (an integer literal that long arrives as a bigint): maybe rounded.
    invalid: [2 ** 63, -(2 ** 64), 0.5, true, 2 ** 53],
  },
  // FP16 and BF16 hold IEEE bit patterns; JSON numbers round to them.
  FP16: { json: [1.5, -2, 65504, 0], decoded: Uint16Array.of(0x3e00, 0xc000, 0x7bff, 0), invalid: ['1.5', null] },
  BF16: { json: [1, -2, 0.5], decoded: Uint16Array.of(0x3f80, 0xc000, 0x3f00), invalid: [false] },
  FP32: { json: [0.1, -1.5, 0], decoded: Float32Array.of(0.1, -1.5, 0), invalid: ['0.1', null, [1]] },
  FP64: {
    json: [0.1, Number.MAX_VALUE, 5e-324],
    decoded: Float64Array.of(0.1, Number.MAX_VALUE, 5e-324),
    invalid: [true],
  },
  BYTES: { json: ['', 'héllo', '日本語 😀'], decoded: ['', 'héllo', '日本語 😀'], invalid: [1, null, true] },
};

describe('decodeJsonValues and encodeJsonValues', () => {
  for (const [datatype, { json, decoded, encoded, invalid }] of Object.entries(CASES) as [Datatype, DatatypeCase][]) {
    describe(datatype, () => {
      it('decodes valid elements to the typed values', () => {
        const values = decodeJsonValues(datatype, json, 'x');
        expect(values.constructor).to.equal(decoded.constructor);
        expect(Array.from(values as ArrayLike<unknown>)).to.deep.equal(Array.from(decoded as ArrayLike<unknown>));
      });

      it('encodes the typed values back to the same JSON elements', () => {
        expect(encodeJsonValues(datatype, decoded)).to.deep.equal(encoded ?? json);
      });

      for (const value of invalid) {
        it(`rejects ${JSON.stringify(value)}, naming the input, the index and the datatype`, () => {
          const error = thrown(() => decodeJsonValues(datatype, [json[0], value], 'x'));
          expect(error.status).to.equal(400);
          expect(error.message).to.match(
            new RegExp(`^input 'x': element 1 is .*, which is not a valid ${datatype} value$`),
          );
        });
      }
    });
  }

  it('rejects UINT8 300 and INT8 -129 as out of range', () => {
    expect(thrown(() => decodeJsonValues('UINT8', [300], 'u')).message).to.equal(
      "input 'u': element 0 is 300, which is not a valid UINT8 value",
    );
    expect(thrown(() => decodeJsonValues('INT8', [-129], 'i')).message).to.equal(
      "input 'i': element 0 is -129, which is not a valid INT8 value",
    );
  });

  it('rejects BOOL elements that are not booleans, quoting strings', () => {
    expect(thrown(() => decodeJsonValues('BOOL', [true, 'false'], 'b')).message).to.equal(
      'input \'b\': element 1 is "false", which is not a valid BOOL value',
    );
  });

  it('rounds FP16 to nearest (0.1 becomes 0.0999755859375, 65519 becomes the largest half, 65504)', () => {
    const bits = decodeJsonValues('FP16', [0.1, 65519, 1 + 2 ** -11], 'h') as Uint16Array;
    expect(Array.from(bits)).to.deep.equal([0x2e66, 0x7bff, 0x3c00]);
    expect(encodeJsonValues('FP16', bits)).to.deep.equal([0.0999755859375, 65504, 1]);
  });

  it('rejects values that would round to Infinity in their float datatype', () => {
    expect(() => decodeJsonValues('FP16', [1, 65520], 'h')).to.throw(
      /element 1 is 65520, which is not a valid FP16 value/,
    );
    expect(() => decodeJsonValues('BF16', [3.4e38], 'b')).to.throw(/not a valid BF16 value/);
    expect(() => decodeJsonValues('FP32', [1e39], 'f')).to.throw(/not a valid FP32 value/);
    expect(decodeJsonValues('FP64', [1e39], 'd')).to.deep.equal(new Float64Array([1e39]));
  });

  it('rounds BF16 to nearest even, as PyTorch does', () => {
    // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7 (ties to the even 1); 1 + 3 * 2^-8 ties to 1 + 2^-6.
    const bits = decodeJsonValues(
      'BF16',
      [1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, 0.1],
      'b',
    ) as Uint16Array;
    expect(Array.from(bits)).to.deep.equal([0x3f80, 0x3f82, 0x3f81, 0x3dcd]);
    expect(encodeJsonValues('BF16', bits)).to.deep.equal([1, 1 + 2 ** -6, 1 + 2 ** -7, 0.10009765625]);
  });

  it('prints float32 values at float32 precision', () => {
    const values = Float32Array.of(0.1, 1.1, 3.4028234663852886e38, 16777217, -0.3);
    expect(Math.fround(0.1)).to.not.equal(0.1);
    expect(encodeJsonValues('FP32', values)).to.deep.equal([0.1, 1.1, 3.4028235e38, 16777216, -0.3]);
  });

  it('keeps the sign of zero in every float datatype, -0 as a token written -0.0 and 0 as a number', () => {
    const halves = { FP16: Uint16Array.of(0x8000, 0), BF16: Uint16Array.of(0x8000, 0) };
    const floats = { FP32: Float32Array.of(-0, 0), FP64: Float64Array.of(-0, 0) };
    for (const [datatype, values] of Object.entries({ ...halves, ...floats })) {
      const elements = encodeJsonValues(datatype as Datatype, values);
      expect(elements, datatype).to.deep.equal([FloatToken.NEGATIVE_ZERO, 0]);
      expect(Object.is(Number(elements[0]), -0), datatype).to.equal(true);
      expect(stringifyJson({ data: elements }), datatype).to.equal('{"data":[-0.0,0]}');
      expect(Object.is((JSON.parse(stringifyJson(elements)) as number[])[0], -0), datatype).to.equal(true);
    }
  });

  it('prints float32 values in their shortest form when 6 digits or fewer suffice, not a longer one that also reads back', () => {
    const values = Float32Array.of(9.6533e-7, 9.74123e-7, 0.000995318, 9.15051e37);
    expect(encodeJsonValues('FP32', values)).to.deep.equal([9.6533e-7, 9.74123e-7, 0.000995318, 9.15051e37]);
  });

  it('writes 64-bit integers as numbers up to 2^53, and as bigints past it, so that no digit is lost', () => {
    const int64 = BigInt64Array.of(-5n, 2n ** 53n - 1n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n);
    expect(encodeJsonValues('INT64', int64)).to.deep.equal([
      -5,
      Number.MAX_SAFE_INTEGER,
      9007199254740993n,
      -9223372036854775808n,
      9223372036854775807n,
    ]);
    expect(encodeJsonValues('UINT64', BigUint64Array.of(42n, 2n ** 64n - 1n))).to.deep.equal([
      42,
      18446744073709551615n,
    ]);
  });

  it('reads 64-bit integers past 2^53, which arrive as bigints, with all their digits', () => {
    const int64 = [9007199254740993n, -9223372036854775808n, 9223372036854775807n, -1];
    expect(Array.from(decodeJsonValues('INT64', int64, 'i') as BigInt64Array)).to.deep.equal([
      9007199254740993n,
      -9223372036854775808n,
      9223372036854775807n,
      -1n,
    ]);
    const uint64 = decodeJsonValues('UINT64', [18446744073709551615n, 0], 'u') as BigUint64Array;
    expect(Array.from(uint64)).to.deep.equal([18446744073709551615n, 0n]);
  });

  it('rejects bigints out of a 64-bit range, naming the input and the value', () => {
    expect(thrown(() => decodeJsonValues('INT64', [0, 9223372036854775808n], 'i')).message).to.equal(
      "input 'i': element 1 is 9223372036854775808, which is not a valid INT64 value",
    );
    expect(thrown(() => decodeJsonValues('UINT64', [18446744073709551616n], 'u')).message).to.equal(
      "input 'u': element 0 is 18446744073709551616, which is not a valid UINT64 value",
    );
    expect(thrown(() => decodeJsonValues('INT32', [9007199254740993n], 'n')).message).to.equal(
      "input 'n': element 0 is 9007199254740993, which is not a valid INT32 value",
    );
  });

  it('reads a bigint given for a float datatype as the nearest number, leaving the given elements as they were', () => {
    const given = [1.5, 9007199254740993n];
    expect(Array.from(decodeJsonValues('FP64', given, 'd') as Float64Array)).to.deep.equal([1.5, 2 ** 53]);
    expect(Array.from(decodeJsonValues('FP32', given, 'f') as Float32Array)).to.deep.equal([1.5, 2 ** 53]);
    expect(given).to.deep.equal([1.5, 9007199254740993n]);
    expect(thrown(() => decodeJsonValues('FP16', [10n ** 20n], 'h')).message).to.equal(
      "input 'h': element 0 is 100000000000000000000, which is not a valid FP16 value",
    );
    // The message shows the digits given, not the nearest number they were read as (9007199254740992).
    expect(thrown(() => decodeJsonValues('FP16', [9007199254740993n], 'h')).message).to.equal(
      "input 'h': element 0 is 9007199254740993, which is not a valid FP16 value",
    );
  });
});
