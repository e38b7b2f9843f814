import type { HrTime } from '@opentelemetry/api';

/** Protobuf wire types used by OTLP. */
export const WIRE = { VARINT: 0, FIXED64: 1, LENGTH_DELIMITED: 2, FIXED32: 5 } as const;

const TWO_POW_32 = 0x1_0000_0000;
/** A negative int64's varint: ten bytes, the longest there is. */
const MAX_VARINT_BYTES = 10;
const NANOS_PER_SECOND = 1e9;
/** Strings up to this many UTF-16 units encode to at most 127 bytes: their length fits one varint byte. */
const SHORT_STRING_UNITS = 42;
/** Length bytes to reserve for one record or span: most take 128 bytes to 16 KiB. */
export const ITEM_LENGTH_BYTES = 2;
/** Length bytes to reserve for a resource's or scope's batch: most take 16 KiB to 2 MiB. */
export const BATCH_LENGTH_BYTES = 3;
/** The first size when nothing better is known. */
const DEFAULT_INITIAL_BYTES = 4096;
/** Each character code's value as a hex digit; undefined for other characters. */
const HEX_VALUES: readonly (number | undefined)[] = Array.from({ length: 128 }, (_, code) => {
  const digit = Number.parseInt(String.fromCharCode(code), 16);
  return Number.isNaN(digit) ? undefined : digit;
});
const INVALID_HEX = -1;

function varintSize(value: number): number {
  if (value < 0x80) return 1;
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/**
 * A single-pass protobuf writer into one growing `Buffer`. Strings and hex
 * ids go straight into the buffer (short ASCII strings and ids by a loop,
 * the rest by Node's native encoder), and a nested message reserves a
 * guessed number of bytes for its length, moving its content only when the
 * guess was wrong. The output is canonical protobuf (shortest varints,
 * fields in the order written).
 */
export class ProtobufWriter {
  #buffer: Buffer;
  #pos = 0;

  constructor(initialBytes = DEFAULT_INITIAL_BYTES) {
    this.#buffer = Buffer.allocUnsafe(Math.max(initialBytes, 64));
  }

  #ensure(bytes: number): void {
    const needed = this.#pos + bytes;
    if (needed <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.#buffer.copy(grown, 0, 0, this.#pos);
    this.#buffer = grown;
  }

  /** The bytes written so far; the writer is not used afterwards. */
  finish(): Uint8Array {
    return this.#buffer.subarray(0, this.#pos);
  }

  /** How many bytes have been written. */
  get length(): number {
    return this.#pos;
  }

  /** Starts over, keeping the buffer: a writer used for one item after another grows to the largest once. */
  reset(): void {
    this.#pos = 0;
  }

  /** Copies the bytes written so far into `target` at `offset`, which must have room for {@link length} of them. */
  copyTo(target: Buffer, offset: number): void {
    this.#buffer.copy(target, offset, 0, this.#pos);
  }

  /** Bytes already in protobuf form, `source` from `start` to `end`, as they are. */
  raw(source: Buffer, start: number, end: number): void {
    this.#ensure(end - start);
    this.#pos += source.copy(this.#buffer, this.#pos, start, end);
  }

  tag(field: number, wireType: number): void {
    const key = (field << 3) | wireType;
    if (key < 0x80) {
      this.#ensure(1);
      this.#buffer[this.#pos++] = key;
    } else {
      this.varint(key);
    }
  }

  /** An unsigned varint, or a negative integer as its 64-bit two's complement (ten bytes). */
  varint(value: number): void {
    this.#ensure(MAX_VARINT_BYTES);
    this.#writeVarint(value);
  }

  /** {@link varint} into room the caller has made. */
  #writeVarint(value: number): void {
    const buffer = this.#buffer;
    if (value >= 0 && value < TWO_POW_32) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buffer[this.#pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buffer[this.#pos++] = v;
      return;
    }
    const magnitude = Math.abs(value);
    let low = magnitude >>> 0;
    let high = (magnitude / TWO_POW_32) >>> 0;
    if (value < 0) {
      low = (~low + 1) >>> 0;
      high = (~high + (low === 0 ? 1 : 0)) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      buffer[this.#pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buffer[this.#pos++] = low;
  }

  fixed32(value: number): void {
    this.#ensure(4);
    this.#pos = this.#buffer.writeUInt32LE(value >>> 0, this.#pos);
  }

  fixed64(low: number, high: number): void {
    this.#ensure(8);
    this.#pos = this.#buffer.writeUInt32LE(low >>> 0, this.#pos);
    this.#pos = this.#buffer.writeUInt32LE(high >>> 0, this.#pos);
  }

  double(value: number): void {
    this.#ensure(8);
    this.#pos = this.#buffer.writeDoubleLE(value, this.#pos);
  }

  /** An `HrTime` as nanoseconds since the epoch, fixed64, exact for every second below 2^32. */
  hrTime(time: HrTime): void {
    const [seconds, nanos] = time;
    // seconds * 1e9 exceeds 2^53: split seconds in 16-bit halves so every product stays exact.
    const lowPart = (seconds & 0xffff) * NANOS_PER_SECOND + nanos;
    const highPart = Math.floor(seconds / 0x10000) * NANOS_PER_SECOND;
    // highPart * 2^16 + lowPart, carried into 32-bit words.
    const highPartLow = (highPart % 0x10000) * 0x10000;
    const sumLow = (lowPart % TWO_POW_32) + highPartLow;
    const low = sumLow % TWO_POW_32;
    const high = Math.floor(lowPart / TWO_POW_32) + Math.floor(highPart / 0x10000) + Math.floor(sumLow / TWO_POW_32);
    this.fixed64(low, high);
  }

  /** A length-prefixed UTF-8 string. */
  string(value: string): void {
    const units = value.length;
    if (units < 0x80) {
      // A short string is copied here while it is ASCII: a call into the native encoder costs more than the loop.
      this.#ensure(1 + units * 3);
      const buffer = this.#buffer;
      const start = this.#pos + 1;
      let index = 0;
      while (index < units) {
        const code = value.charCodeAt(index);
        if (code > 0x7f) break;
        buffer[start + index++] = code;
      }
      if (index === units || units <= SHORT_STRING_UNITS) {
        const written = index === units ? units : index + buffer.write(value.slice(index), start + index);
        buffer[this.#pos] = written;
        this.#pos = start + written;
        return;
      }
    }
    const length = Buffer.byteLength(value);
    this.varint(length);
    this.#ensure(length);
    this.#pos += this.#buffer.write(value, this.#pos, length);
  }

  bytes(value: Uint8Array): void {
    this.varint(value.byteLength);
    this.#ensure(value.byteLength);
    this.#buffer.set(value, this.#pos);
    this.#pos += value.byteLength;
  }

  /** A length-prefixed id given as hex (trace and span ids), decoded straight into the buffer. */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.varint(length);
    this.#ensure(length);
    const buffer = this.#buffer;
    // Decoded here rather than by the native hex decoder: ids are 8 or 16 bytes, too short to pay for the call.
    for (let index = 0; index < length; index++) {
      const high = HEX_VALUES[hex.charCodeAt(2 * index)] ?? INVALID_HEX;
      const low = HEX_VALUES[hex.charCodeAt(2 * index + 1)] ?? INVALID_HEX;
      // Not hex: a zero byte keeps the declared length (the SDK validates ids, so this is a safeguard).
      buffer[this.#pos++] = high === INVALID_HEX || low === INVALID_HEX ? 0 : (high << 4) | low;
    }
  }

  /**
   * Starts a nested message, reserving `lengthBytes` for its length: a
   * guess, the content moves when the length takes more or fewer. Pass the
   * result and the same `lengthBytes` to {@link endMessage} once its fields
   * are written.
   */
  beginMessage(lengthBytes = 1): number {
    this.#ensure(lengthBytes);
    this.#pos += lengthBytes;
    return this.#pos;
  }

  /** Writes the length of the message begun at `contentStart`, right before its content. */
  endMessage(contentStart: number, lengthBytes = 1): void {
    const length = this.#pos - contentStart;
    const shift = varintSize(length) - lengthBytes;
    if (shift !== 0) {
      if (shift > 0) this.#ensure(shift);
      this.#buffer.copy(this.#buffer, contentStart + shift, contentStart, this.#pos);
    }
    const end = this.#pos + shift;
    this.#pos = contentStart - lengthBytes;
    // The room is there: growing the buffer now would copy it only up to the length and lose the content.
    this.#writeVarint(length);
    this.#pos = end;
  }
}
