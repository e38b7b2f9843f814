import { expect } from 'chai';
import {
  DATATYPE_BYTE_SIZE,
  DATATYPES,
  elementCount,
  float32ToShortestNumber,
  fromFloat16Bits,
  isDatatype,
  toBfloat16Bits,
  toFloat16Bits,
  widenBfloat16Bits,
  zeroValues,
} from '../src/index.js';
import { float16BitsToNumber } from '../src/half-precision.js';

describe('datatypes', () => {
  it("lists the specification's datatypes and element sizes (BF16 from Triton's extension)", () => {
    // The "Tensor Data Types" table of the Open Inference protocol, in its order.
    expect(DATATYPES.join(' ')).to.equal(
      'BOOL UINT8 UINT16 UINT32 UINT64 INT8 INT16 INT32 INT64 FP16 BF16 FP32 FP64 BYTES',
    );
    expect(DATATYPE_BYTE_SIZE).to.deep.equal({
      BOOL: 1,
      UINT8: 1,
      UINT16: 2,
      UINT32: 4,
      UINT64: 8,
      INT8: 1,
      INT16: 2,
      INT32: 4,
      INT64: 8,
      FP16: 2,
      BF16: 2,
      FP32: 4,
      FP64: 8,
      BYTES: undefined,
    });
  });

  it('recognises datatype names exactly, and nothing inherited', () => {
    expect(isDatatype('FP32')).to.equal(true);
    for (const name of ['fp32', 'FLOAT', 'toString', '__proto__', 'constructor', 3, undefined]) {
      expect(isDatatype(name), String(name)).to.equal(false);
    }
  });

  it('counts the elements of a shape', () => {
    expect(elementCount([2, 3, 4])).to.equal(24);
    expect(elementCount([])).to.equal(1);
    expect(elementCount([5, 0])).to.equal(0);
  });

  it('makes zero-filled values of each datatype', () => {
    expect(zeroValues('INT64', 2)).to.deep.equal(new BigInt64Array(2));
    expect(zeroValues('FP16', 3)).to.deep.equal(new Uint16Array(3));
    expect(zeroValues('BYTES', 2)).to.deep.equal(['', '']);
  });
});

describe('half and single precision', () => {
  it('converts FP16 bit patterns both ways', () => {
    expect(Array.from(toFloat16Bits([1, -2, 65504, 2 ** -24, NaN]))).to.deep.equal([
      0x3c00, 0xc000, 0x7bff, 0x0001, 0x7e00,
    ]);
    const values = fromFloat16Bits(Uint16Array.of(0x3c00, 0x7c00, 0xfc00, 0x0001));
    expect(values).to.deep.equal([1, Infinity, -Infinity, 2 ** -24]);
  });

  it('reads each of the 65536 half bit patterns as the half-precision library does', () => {
    const bits = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
    expect(Array.from(bits, float16BitsToNumber)).to.deep.equal(fromFloat16Bits(bits));
  });

  it('rounds float32 values to bfloat16 as ml_dtypes does, a NaN keeping its sign', () => {
    const negativeNaN = new Float32Array(Uint32Array.of(0xffc00000).buffer)[0];
    const values = [1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4028234663852886e38, -0, 1e-45, NaN, negativeNaN];
    expect(Array.from(toBfloat16Bits(values))).to.deep.equal([0x3f80, 0x3f82, 0x7f80, 0x8000, 0, 0x7fc0, 0xffc0]);
  });

  it('widens bfloat16 bit patterns to float32 bit for bit, NaNs included', () => {
    const wide = widenBfloat16Bits(Uint16Array.of(0x3f80, 0x8000, 0xffc0, 0x7f81));
    expect(Array.from(new Uint32Array(wide.buffer))).to.deep.equal([0x3f800000, 0x80000000, 0xffc00000, 0x7f810000]);
  });

  it('prints float32 values with the fewest digits that read back as the same float32', () => {
    for (const value of [0.1, 1.1, 0.3, 1 / 3, 123456.789, 1e-10, 3.4028234663852886e38]) {
      const float = Math.fround(value);
      const printed = float32ToShortestNumber(float);
      expect(Math.fround(printed)).to.equal(float);
      expect(printed.toString().length).to.be.at.most(float.toString().length);
    }
    expect(float32ToShortestNumber(Math.fround(0.1))).to.equal(0.1);
    expect(float32ToShortestNumber(Math.fround(1 / 3))).to.equal(0.33333334);
    expect(float32ToShortestNumber(0)).to.equal(0);
    expect(float32ToShortestNumber(Infinity)).to.equal(Infinity);
  });

  it('prints subnormal float32 values in their shortest form', () => {
    expect(float32ToShortestNumber(Math.fround(1e-45))).to.equal(1e-45);
    expect(float32ToShortestNumber(Math.fround(1e-40))).to.equal(1e-40);
  });

  // At a power of two the float32 below is nearer than the one above, so the nearest 8-digit
  // decimal can miss while the next one up reads back: numpy prints these with 8 digits.
  it('prints powers of two in their shortest form', () => {
    expect(float32ToShortestNumber(2 ** 87)).to.equal(1.5474251e26);
    expect(float32ToShortestNumber(2 ** 90)).to.equal(1.2379401e27);
    expect(float32ToShortestNumber(-(2 ** -96))).to.equal(-1.2621775e-29);
  });
});
