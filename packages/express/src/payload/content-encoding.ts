import type { BrotliOptions, ZlibOptions } from 'node:zlib';
import { brotliDecompressSync, constants, gunzipSync, inflateSync } from 'node:zlib';

/** Decodes what it is given, as far as it goes, into at most `maxOutputLength` bytes (throwing past it). */
type Decoder = (input: Buffer, maxOutputLength: number) => Buffer;

/** A stream cut short still gives what it holds, instead of an "unexpected end" error. */
const ZLIB_PREFIX: ZlibOptions = { finishFlush: constants.Z_SYNC_FLUSH };
const BROTLI_PREFIX: BrotliOptions = { finishFlush: constants.BROTLI_OPERATION_FLUSH };

/** The Content-Encodings of HTTP that `compression()` and its kind write, by their header token. */
const gunzip: Decoder = (input, maxOutputLength) => gunzipSync(input, { ...ZLIB_PREFIX, maxOutputLength });
const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ['gzip', gunzip],
  ['x-gzip', gunzip],
  ['deflate', (input, maxOutputLength) => inflateSync(input, { ...ZLIB_PREFIX, maxOutputLength })],
  ['br', (input, maxOutputLength) => brotliDecompressSync(input, { ...BROTLI_PREFIX, maxOutputLength })],
]);

/** The leading bytes of a decoded answer, and whether they are less than all of it. */
export interface DecodedContent {
  readonly bytes: Buffer;
  readonly cut: boolean;
}

function isTooLarge(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
}

/**
 * Undoes an answer's Content-Encoding (`gzip`, `deflate`, `br`), for a
 * response record that should show the JSON the handler wrote rather than
 * what a compression middleware made of it. `input` may be a prefix of the
 * encoded answer (`partial`). At most `maxBytes` are decoded: an input that
 * decodes to more is retried from its first half, so a small answer that
 * inflates far costs no more than the record keeps. Undefined for an
 * encoding this does not know (none, `identity`), to be read as it is; an
 * answer that does not decode gives no bytes, marked cut.
 */
export function decodeContent(
  input: Buffer,
  encoding: unknown,
  maxBytes: number,
  partial: boolean,
): DecodedContent | undefined {
  const decode = typeof encoding === 'string' ? DECODERS.get(encoding.trim().toLowerCase()) : undefined;
  if (decode === undefined) return undefined;
  for (let length = input.byteLength; ; length = Math.floor(length / 2)) {
    try {
      return { bytes: decode(input.subarray(0, length), maxBytes), cut: partial || length < input.byteLength };
    } catch (error) {
      if (!isTooLarge(error) || length <= 1) return { bytes: Buffer.alloc(0), cut: true };
    }
  }
}
