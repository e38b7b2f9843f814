import { expect } from 'chai';
import type { Datatype, TensorValues } from '../src/index.js';
import { DATATYPES, decodeBinaryValues, encodeBinaryValues } from '../src/index.js';
import { thrown } from './thrown.js';

/** Two elements of each datatype: the smallest and largest where the type has them. */
const VALUES: Record<Datatype, TensorValues> = {
  BOOL: Uint8Array.of(1, 0),
  UINT8: Uint8Array.of(0, 255),
  UINT16: Uint16Array.of(0, 65535),
  UINT32: Uint32Array.of(0, 4294967295),
  UINT64: BigUint64Array.of(0n, 2n ** 64n - 1n),
  INT8: Int8Array.of(-128, 127),
  INT16: Int16Array.of(-32768, 32767),
  INT32: Int32Array.of(-(2 ** 31), 2 ** 31 - 1),
  INT64: BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n),
  FP16: Uint16Array.of(0x3e00, 0xfbff),
  BF16: Uint16Array.of(0x3f80, 0xff7f),
  FP32: Float32Array.of(0.1, -3.4028234663852886e38),
  FP64: Float64Array.of(0.1, Number.MIN_VALUE),
  BYTES: ['', 'héllo 😀'],
};

/** The bytes of `count` elements of `size` bytes each, written one by one with a DataView. */
function littleEndian(
  size: number,
  write: (view: DataView, offset: number, index: number) => void,
  count: number,
): number[] {
  const view = new DataView(new ArrayBuffer(size * count));
  for (let i = 0; i < count; i++) write(view, i * size, i);
  return Array.from(new Uint8Array(view.buffer));
}

describe('binary tensor data', () => {
  for (const datatype of DATATYPES) {
    it(`round-trips ${datatype}`, () => {
      const values = VALUES[datatype];
      const bytes = encodeBinaryValues(datatype, values);
      const decoded = decodeBinaryValues(datatype, bytes, values.length, 'x');
      expect(Array.from(decoded as ArrayLike<unknown>)).to.deep.equal(Array.from(values as ArrayLike<unknown>));
    });
  }

  it('writes fixed-size elements little-endian', () => {
    expect(Array.from(encodeBinaryValues('UINT32', Uint32Array.of(0x01020304)))).to.deep.equal([4, 3, 2, 1]);
    const fp64 = Float64Array.of(0.1, -2);
    expect(Array.from(encodeBinaryValues('FP64', fp64))).to.deep.equal(
      littleEndian(8, (view, offset, i) => view.setFloat64(offset, fp64[i], true), 2),
    );
    const minusTwo = Array.from(encodeBinaryValues('INT64', BigInt64Array.of(-2n)));
    expect(minusTwo).to.deep.equal([0xfe, 255, 255, 255, 255, 255, 255, 255]);
  });

  it('writes only the elements of a typed array that views part of a buffer', () => {
    const view = new Int16Array(Int16Array.of(1, 2, 3, 4).buffer, 2, 2);
    expect(Array.from(encodeBinaryValues('INT16', view))).to.deep.equal([2, 0, 3, 0]);
  });

  it('reads elements that start at an unaligned offset', () => {
    const bytes = new Uint8Array(17);
    bytes.set(encodeBinaryValues('FP64', Float64Array.of(1.5, -0.25)), 1);
    const values = decodeBinaryValues('FP64', bytes.subarray(1), 2, 'x');
    expect(Array.from(values as Float64Array)).to.deep.equal([1.5, -0.25]);
  });

  it('reads elements from an unaligned view into a Node Buffer, as the server passes them', () => {
    const body = Buffer.alloc(19);
    body.writeDoubleLE(1.5, 3);
    body.writeDoubleLE(-0.25, 11);
    const values = decodeBinaryValues('FP64', body.subarray(3), 2, 'x');
    expect(Array.from(values as Float64Array)).to.deep.equal([1.5, -0.25]);
    const ints = decodeBinaryValues('INT32', body.subarray(1, 9), 2, 'x');
    expect(ints).to.be.instanceOf(Int32Array);
  });

  it('prefixes each BYTES element with its UTF-8 length as a 4-byte little-endian integer', () => {
    const bytes = encodeBinaryValues('BYTES', ['ab', '', 'é']);
    expect(Array.from(bytes)).to.deep.equal([2, 0, 0, 0, 0x61, 0x62, 0, 0, 0, 0, 2, 0, 0, 0, 0xc3, 0xa9]);
    expect(decodeBinaryValues('BYTES', bytes, 3, 'x')).to.deep.equal(['ab', '', 'é']);
  });

  it('rejects a byte count that does not fit the element count', () => {
    const error = thrown(() => decodeBinaryValues('FP32', new Uint8Array(7), 2, 'x'));
    expect(error.status).to.equal(400);
    expect(error.message).to.equal("input 'x': expected 8 bytes of binary data for 2 FP32 elements, got 7");
    expect(thrown(() => decodeBinaryValues('INT64', new Uint8Array(24), 2, 'x')).message).to.include(
      'expected 16 bytes',
    );
  });

  it('rejects BOOL bytes other than 0 and 1', () => {
    expect(thrown(() => decodeBinaryValues('BOOL', Uint8Array.of(1, 2), 2, 'flags')).message).to.equal(
      "input 'flags': BOOL elements must be 0 or 1",
    );
  });

  it('rejects BYTES data with too few or too many elements, a truncated element or a truncated prefix', () => {
    const two = encodeBinaryValues('BYTES', ['ab', 'c']);
    const cases: [Uint8Array, number][] = [
      [two, 3],
      [two, 1],
      [two.subarray(0, two.length - 1), 2],
      [Uint8Array.of(...two, 1, 0), 2],
      [Uint8Array.of(9, 0, 0, 0, 1), 1],
    ];
    for (const [bytes, count] of cases) {
      const error = thrown(() => decodeBinaryValues('BYTES', bytes, count, 'text'));
      expect(error.status).to.equal(400);
      expect(error.message).to.match(/^input 'text': binary BYTES data does not hold \d+ length-prefixed elements/);
    }
  });

  // onnxruntime's string tensors hold text, so bytes that are not UTF-8 cannot reach the model as they were sent.
  it('rejects a BYTES element that is not valid UTF-8, naming it, and keeps every byte of valid ones', () => {
    const invalid = Uint8Array.of(2, 0, 0, 0, 0x61, 0x62, 2, 0, 0, 0, 0xc3, 0x28);
    const error = thrown(() => decodeBinaryValues('BYTES', invalid, 2, 'text'));
    expect(error.status).to.equal(400);
    expect(error.message).to.equal("input 'text': BYTES element 1 is not valid UTF-8");
    const bom = Uint8Array.of(4, 0, 0, 0, 0xef, 0xbb, 0xbf, 0x61);
    expect(decodeBinaryValues('BYTES', bom, 1, 'text'), 'a leading BOM kept').to.deep.equal(['\ufeffa']);
  });
});
