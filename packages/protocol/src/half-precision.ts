import { Float16Array } from '@petamoriken/float16';

/** Rounds numbers to IEEE 754 half precision and returns their bit patterns. */
export function toFloat16Bits(values: readonly number[]): Uint16Array {
  const halves = Float16Array.from(values);
  return new Uint16Array(halves.buffer, halves.byteOffset, halves.length);
}

/** Reads IEEE 754 half-precision bit patterns as numbers. */
export function fromFloat16Bits(bits: Uint16Array): number[] {
  return Array.from(new Float16Array(bits.buffer, bits.byteOffset, bits.length));
}

const FLOAT16_SIGN = 0x8000;
const FLOAT16_MANTISSA_BITS = 10;
const FLOAT16_MANTISSA = 0x3ff;
/** The biased exponent of a half's NaN and infinities. */
const FLOAT16_EXPONENT_MAX = 0x1f;
/**
 * 2^(e - 25) for each biased exponent e of a half (2^-24 for subnormals,
 * e = 0): a half is its mantissa, with the implicit 1 (1024) when normal,
 * times this. Each product is exact.
 */
const FLOAT16_SCALE = Float64Array.from({ length: FLOAT16_EXPONENT_MAX + 1 }, (_, e) => 2 ** (Math.max(e, 1) - 25));

/**
 * Reads one IEEE 754 half-precision bit pattern as a number: the same as
 * {@link fromFloat16Bits}, without the library's array, which is slow to
 * read element by element.
 */
export function float16BitsToNumber(bits: number): number {
  const exponent = (bits >>> FLOAT16_MANTISSA_BITS) & FLOAT16_EXPONENT_MAX;
  const mantissa = bits & FLOAT16_MANTISSA;
  let magnitude: number;
  if (exponent === FLOAT16_EXPONENT_MAX) magnitude = mantissa === 0 ? Infinity : NaN;
  else magnitude = (exponent === 0 ? mantissa : mantissa + FLOAT16_MANTISSA + 1) * FLOAT16_SCALE[exponent];
  return bits & FLOAT16_SIGN ? -magnitude : magnitude;
}

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** bfloat16's quiet NaN: the top half of float32's quiet NaN. */
const BF16_NAN = 0x7fc0;
const BF16_SIGN = 0x8000;

/**
 * Rounds numbers to bfloat16 (the top 16 bits of a float32) with
 * round-to-nearest-even, as ml_dtypes and onnxruntime do, and returns the
 * bits. A NaN becomes the quiet NaN of its sign: a model's negative NaN, which
 * onnxruntime's casts keep, stays negative.
 */
export function toBfloat16Bits(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    scratchFloat[0] = value;
    const bits = scratchBits[0];
    if (Number.isNaN(value)) {
      out[i] = ((bits >>> 16) & BF16_SIGN) | BF16_NAN;
      continue;
    }
    const lsb = (bits >>> 16) & 1;
    out[i] = ((bits + 0x7fff + lsb) >>> 16) & 0xffff;
  }
  return out;
}

/** Reads bfloat16 bit patterns as numbers (exact: each is a float32). */
export function fromBfloat16Bits(bits: Uint16Array): number[] {
  const out = new Array<number>(bits.length);
  for (let i = 0; i < bits.length; i++) {
    scratchBits[0] = bits[i] << 16;
    out[i] = scratchFloat[0]!;
  }
  return out;
}

/**
 * Widens bfloat16 bit patterns to float32 bit for bit. Read as numbers, a
 * NaN can lose its sign: V8 makes every NaN it stores in an array of numbers
 * the same one.
 */
export function widenBfloat16Bits(bits: Uint16Array): Float32Array {
  const wide = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) wide[i] = bits[i] << 16;
  return new Float32Array(wide.buffer);
}

/**
 * The shortest decimal that reads back as the same float32. Printing float32
 * outputs as doubles gives 17 digits of noise (0.1f is 0.10000000149011612)
 * and makes payloads larger and slower to write.
 */
export function float32ToShortestNumber(value: number): number {
  return Number.isFinite(value) ? shortestFiniteFloat32(value) : value;
}

/** {@link float32ToShortestNumber} of a finite value, for callers that have checked it. */
export function shortestFiniteFloat32(value: number): number {
  if (value === 0) return value;
  // Subnormals carry fewer significant bits, so their shortest form can be a single digit.
  const fewest = Math.abs(value) < MIN_NORMAL_FLOAT32 ? 1 : MIN_FLOAT32_DIGITS;
  for (let digits = fewest; digits < MAX_FLOAT32_DIGITS; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
    // Below a power of two the float32 neighbour is twice as near as above it, so the nearest
    // decimal can fall short and miss where the next one, away from zero, reads back.
    if (Math.abs(candidate) < Math.abs(value) && isPowerOfTwo(value)) {
      const next = nextDecimalAwayFromZero(candidate, digits);
      if (Math.fround(next) === value) return next;
    }
  }
  return Number(value.toPrecision(MAX_FLOAT32_DIGITS));
}

/** Whether a normal float32 is a power of two (its mantissa bits are all zero). */
function isPowerOfTwo(value: number): boolean {
  scratchFloat[0] = value;
  return (scratchBits[0] & FLOAT32_MANTISSA_BITS) === 0;
}

const FLOAT32_MANTISSA_BITS = 0x7fffff;

/** The decimal of `digits` significant digits that follows `decimal`, one of them, away from zero. */
function nextDecimalAwayFromZero(decimal: number, digits: number): number {
  const [mantissa, exponent] = Math.abs(decimal)
    .toExponential(digits - 1)
    .split('e');
  const scaled = Number(mantissa.replace('.', '')) + 1;
  return Math.sign(decimal) * Number(`${scaled}e${Number(exponent) - digits + 1}`);
}

/** The smallest normal float32, 2^-126. */
const MIN_NORMAL_FLOAT32 = 2 ** -126;

/**
 * float32 always round-trips through 9 significant digits. A normal value
 * whose shortest form is shorter than 6 digits is that form padded with
 * zeros at 6 digits, so the search can start there.
 */
const MIN_FLOAT32_DIGITS = 6;
const MAX_FLOAT32_DIGITS = 9;
