import { decodeContent } from './content-encoding.js';
import type { PayloadText } from './truncate.js';
import { decodeUtf8Prefix } from './truncate.js';
import { ServerResponse } from 'node:http';
import type { CallContext } from '../call-context.js';
import { responseCallContext } from '../call-context.js';

/** The bytes of an answer as they were written, kept up to a limit. */
export interface CapturedResponse {
  /** Every byte written, kept or not. */
  size: number;
  /**
   * The first bytes written, up to the limit, copied. A UTF-8 string that
   * fits is kept as the string: the usual JSON answer is then neither
   * encoded nor decoded again.
   */
  chunks: (Buffer | string)[];
  kept: number;
}

function isUtf8(encoding: unknown): boolean {
  return encoding === undefined || encoding === 'utf8' || encoding === 'utf-8' || typeof encoding === 'function';
}

/**
 * The bytes of a chunk. A string's encoding that Buffer does not know is
 * read as UTF-8, as Node sends it (`buffer`), rather than thrown on: an
 * unknown one is Node's to refuse, the capture never fails a write.
 */
function toBuffer(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string')
    return Buffer.from(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return undefined;
}

/** Counts and keeps what is written, up to `limit` bytes. */
export class ResponseCapture implements CapturedResponse {
  size = 0;
  chunks: (Buffer | string)[] = [];
  kept = 0;
  readonly #limit: number;
  /** Another capture of the same response: a second middleware recording the same call. */
  readonly #next: ResponseCapture | undefined;

  constructor(limit: number, next: ResponseCapture | undefined) {
    this.#limit = limit;
    this.#next = next;
  }

  record(chunk: unknown, encoding: unknown): void {
    this.#next?.record(chunk, encoding);
    const room = this.#limit - this.kept;
    if (typeof chunk === 'string' && isUtf8(encoding)) {
      const size = Buffer.byteLength(chunk);
      this.size += size;
      if (size <= room) {
        this.chunks.push(chunk);
        this.kept += size;
      } else if (room > 0) {
        // Only the bytes kept are encoded, not a long answer whole: each UTF-16 unit takes at least one byte.
        this.#keep(Buffer.from(chunk.slice(0, room)).subarray(0, room));
      }
      return;
    }
    const buffer = toBuffer(chunk, encoding);
    if (buffer === undefined) return;
    this.size += buffer.byteLength;
    // A copy: once written, the bytes are the handler's again to reuse, and the record is made at the end.
    if (room > 0) this.#keep(Buffer.from(buffer.subarray(0, room)));
  }

  #keep(part: Buffer): void {
    this.chunks.push(part);
    this.kept += part.byteLength;
  }
}

const NO_CONTENT = 204;
const NOT_MODIFIED = 304;

/**
 * The capture of `res` when what is written to it is sent: Node drops it
 * from an answer to HEAD and from a 1xx, 204 or 304 answer, which have no
 * content (RFC 9110, section 6.4.1). The status read is the one sent: the
 * write before this read sent the headers with it.
 */
function captureOfContent(res: ServerResponse): ResponseCapture | undefined {
  const context = responseCallContext(res);
  if (context?.capture === undefined || context.method === 'HEAD') return undefined;
  const status = res.statusCode;
  return status < 200 || status === NO_CONTENT || status === NOT_MODIFIED ? undefined : context.capture;
}

let patched = false;

/**
 * Makes every `ServerResponse` report what is written to it, once per
 * process (later calls do nothing): `write` and `end` on the prototype do
 * what they did, then record the chunk when the response's call (its
 * request's context) has a capture and the response sends content. A chunk
 * Node.js refuses (it throws: an encoding Node.js 24 and later do not
 * know) is not recorded, as it was never sent. Wrapping each response
 * instead would make two closures per call and add them to every response
 * object as properties. The middleware calls this when it is created,
 * before any response exists, so wrappers that other middleware puts on a
 * response call these.
 */
export function reportServerResponseWrites(): void {
  if (patched) return;
  patched = true;
  const proto = ServerResponse.prototype;
  // Called with the response as `this`: the originals are unbound by design.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const { write, end } = proto;
  // The wrappers pass `arguments` on as they came: rest parameters would allocate on every write.
  proto.write = function (this: ServerResponse, chunk: unknown, encoding?: unknown) {
    // eslint-disable-next-line prefer-rest-params
    const flowing = Reflect.apply(write, this, arguments) as boolean;
    captureOfContent(this)?.record(chunk, encoding);
    return flowing;
  } as ServerResponse['write'];
  proto.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown) {
    // eslint-disable-next-line prefer-rest-params
    const ended = Reflect.apply(end, this, arguments) as ServerResponse;
    // end(callback) has no chunk.
    if (typeof chunk !== 'function') captureOfContent(this)?.record(chunk, encoding);
    return ended;
  } as ServerResponse['end'];
}

/**
 * Records what the handler writes to the answer of the call `context` is
 * of, once {@link reportServerResponseWrites} has run. It is kept in the
 * context, not on the response: under `app.listen`, where Express changes
 * the prototype of each response, every property added to one afterwards
 * is a new map (hidden class) of its own. The chunks are the bytes
 * Express already serialised, so the response record costs no second
 * `JSON.stringify`; past `limit` bytes only the count grows.
 */
export function captureResponse(context: CallContext, limit: number): CapturedResponse {
  const capture = new ResponseCapture(limit, context.capture);
  context.capture = capture;
  return capture;
}

/** How to read a captured answer. */
export interface AnswerFormat {
  /** The answer's `Content-Encoding` header: gzip, deflate and br are undone. */
  readonly encoding?: unknown;
  /** Only this many leading (decoded) bytes: the JSON part of a binary-extension answer. */
  readonly jsonLength?: number | undefined;
  /** At most this many bytes are decoded from an encoded answer. */
  readonly maxDecodedBytes: number;
}

/**
 * The captured answer as text: decoded first when a compression middleware
 * encoded it, then only its JSON part for a binary-extension answer (which
 * counts as whole when all of that part was kept). A character cut short
 * is left out.
 */
export function capturedText(captured: CapturedResponse, format: AnswerFormat): PayloadText {
  const { chunks } = captured;
  let cut = captured.size > captured.kept;
  const plain = format.encoding === undefined && format.jsonLength === undefined;
  if (plain && chunks.length === 1 && typeof chunks[0] === 'string') return { text: chunks[0], cut };
  let bytes =
    chunks.length === 1 && typeof chunks[0] !== 'string'
      ? chunks[0]
      : Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)));
  const decoded = decodeContent(bytes, format.encoding, format.maxDecodedBytes, cut);
  if (decoded !== undefined) ({ bytes, cut } = decoded);
  if (format.jsonLength !== undefined && format.jsonLength <= bytes.byteLength) {
    bytes = bytes.subarray(0, format.jsonLength);
    cut = false;
  }
  // Only an answer cut short can end inside a character.
  return { text: cut ? decodeUtf8Prefix(bytes) : bytes.toString('utf8'), cut };
}
