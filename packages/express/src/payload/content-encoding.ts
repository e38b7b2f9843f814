import type { BrotliOptions, ZlibOptions } from 'node:zlib';
import { brotliDecompressSync, constants, gunzipSync, inflateSync } from 'node:zlib';

/** Decodes what it is given, as far as it goes, into at most `maxOutputLength` bytes (throwing past it). */
type Decoder = (input: Buffer, maxOutputLength: number) => Buffer;

/** A stream cut short still gives what it holds, instead of an "unexpected end" error. */
const ZLIB_PREFIX: ZlibOptions = { finishFlush: constants.Z_SYNC_FLUSH };
const BROTLI_PREFIX: BrotliOptions = { finishFlush: constants.BROTLI_OPERATION_FLUSH };

/** The Content-Encodings of HTTP that `compression()` and its kind write, by their header token. */
const gunzip: Decoder = (input, maxOutputLength) =>
  gunzipSync(input, Object.assign({}, ZLIB_PREFIX, { maxOutputLength }));
const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ['gzip', gunzip],
  ['x-gzip', gunzip],
  ['deflate', (input, maxOutputLength) => inflateSync(input, Object.assign({}, ZLIB_PREFIX, { maxOutputLength }))],
  [
    'br',
    (input, maxOutputLength) => brotliDecompressSync(input, Object.assign({}, BROTLI_PREFIX, { maxOutputLength })),
  ],
]);

/** The leading bytes of a decoded answer, and whether they are less than all of it. */
export interface DecodedContent {
  readonly bytes: Buffer;
  readonly cut: boolean;
}

/**
 * How many times `maxBytes` the last step of {@link decodeContent} may
 * decode, for a byte that holds a long run: enough for runs of 4 MiB at the
 * 64 KiB a record keeps by default, a few milliseconds of decoding.
 */
const RUN_ROOM = 64;
/** The bisection of {@link decodeContent} stops once it has all but a 64th of `maxBytes`. */
const NEAR_ENOUGH = 64;

function isTooLarge(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
}

/**
 * Undoes an answer's Content-Encoding (`gzip`, `deflate`, `br`), for a
 * response record that should show the JSON the handler wrote rather than
 * what a compression middleware made of it. `input` may be a prefix of the
 * encoded answer (`partial`). At most `maxBytes` are kept: of an input
 * that decodes to more, the longest prefix that decodes within them is
 * found by bisection (to within a 64th of `maxBytes`), so a small answer
 * that inflates far costs about what the record keeps, times the steps.
 * Undefined for an encoding this does not know (none, `identity`), to be
 * read as it is; an answer that does not decode gives no bytes, marked cut.
 */
export function decodeContent(
  input: Buffer,
  encoding: unknown,
  maxBytes: number,
  partial: boolean,
): DecodedContent | undefined {
  const decode = typeof encoding === 'string' ? DECODERS.get(encoding.trim().toLowerCase()) : undefined;
  if (decode === undefined) return undefined;
  try {
    return { bytes: decode(input, maxBytes), cut: partial };
  } catch (error) {
    if (!isTooLarge(error)) return { bytes: Buffer.alloc(0), cut: true };
  }
  // The first `fits` bytes of the input decode within maxBytes (into `bytes`); the first `over` do not.
  let fits = 0;
  let bytes: Buffer = Buffer.alloc(0);
  let over = input.byteLength;
  // Near enough is enough: brotli decodes a whole prefix before it can tell it made too much, so each step costs.
  const enough = maxBytes - maxBytes / NEAR_ENOUGH;
  while (over - fits > 1 && bytes.byteLength < enough) {
    const middle = Math.floor((fits + over) / 2);
    try {
      bytes = decode(input.subarray(0, middle), maxBytes);
      fits = middle;
    } catch {
      over = middle;
    }
  }
  if (bytes.byteLength >= maxBytes / 2) return { bytes, cut: true };
  // Far short: the next byte holds a long run (brotli copies up to megabytes at once). Decoded with more room, then cut.
  try {
    return { bytes: decode(input.subarray(0, over), maxBytes * RUN_ROOM).subarray(0, maxBytes), cut: true };
  } catch {
    return { bytes, cut: true };
  }
}
