import type { Gzip, ZlibReset } from 'node:zlib';
import { constants, createGzip } from 'node:zlib';

/**
 * The zlib level the middleware gzips its protobuf log and span exports
 * at: the fastest. Against zlib's default level (6) it writes about 3%
 * more bytes on batches of small payload records, in about half the time,
 * and 13% more on records of random float text, in 40% of the time.
 */
const EXPORT_GZIP_LEVEL = constants.Z_BEST_SPEED;

/**
 * The most gzipped bytes zlib writes per step on the thread pool: the
 * usual batch (30–40 KiB gzipped) in one step, the largest (512 records
 * of 64 KiB, about 14 MiB gzipped) in a few hundred, with the event loop
 * free between them.
 */
const STEP_BYTES = 64 * 1024;

/** The header that says a request body is gzipped, as the SDK's transport sends it. */
export const GZIP_HEADERS = { 'Content-Encoding': 'gzip' };

/**
 * A gzip stream, with the `reset` every zlib stream of the deflate algorithm
 * has (Node.js's `Zlib.prototype.reset`), which @types/node gives only to
 * Deflate, DeflateRaw and the inflaters.
 */
type ResettableGzip = Gzip & ZlibReset;

/** Told of one request's gzipped bytes, or of why there are none; it must not throw (it runs in the stream's callback). */
export type GzipDone = (error: Error | null, gzipped: Buffer) => void;

/**
 * Gzips export requests at {@link EXPORT_GZIP_LEVEL} on the thread pool,
 * one after another, through one zlib stream that is reset between them:
 * each request is a gzip file of its own. One stream rather than one per
 * request (`zlib.gzip`): on Node.js 24, each new zlib stream under load
 * (34 a second) brought a full garbage collection about every 250 ms, with
 * marking steps of up to 19 ms, where the same exports through one stream
 * brought none (bench/README.md has the figures). The SDK's transport gzips
 * through a new stream per request, at the default level, 16 KiB a step:
 * over twice the CPU for a 214 KiB batch of log records (1.3 ms against
 * 0.6 ms, both on one core). On the thread pool rather than in one
 * synchronous call, as a batch of 512 records of 64 KiB each takes 0.3 s to
 * gzip: the event loop stays free for requests meanwhile. A stream that
 * fails is dropped with the request it was gzipping; the next request gets
 * a new one.
 */
export class RequestGzipper {
  #stream: ResettableGzip | undefined;
  /** The request being gzipped and those waiting for it, settled in order. */
  #queue: Promise<void> = Promise.resolve();

  /** Gzips `request`, after those given before it; `done` is called once, never synchronously. */
  gzip(request: Uint8Array, done: GzipDone): void {
    this.#queue = this.#queue.then(() => this.#gzipOne(request, done));
  }

  /** Settles once every request given so far is gzipped and its `done` has returned. */
  idle(): Promise<void> {
    return this.#queue;
  }

  /** The stream, made when first needed or after one failed; one that fails is dropped. */
  #open(): ResettableGzip {
    if (this.#stream !== undefined) return this.#stream;
    const stream = createGzip({ level: EXPORT_GZIP_LEVEL, chunkSize: STEP_BYTES }) as ResettableGzip;
    // Listened for while idle too: an 'error' nobody listens for would end the process.
    stream.on('error', () => {
      if (this.#stream === stream) this.#stream = undefined;
    });
    this.#stream = stream;
    return stream;
  }

  #gzipOne(request: Uint8Array, done: GzipDone): Promise<void> {
    const stream = this.#open();
    return new Promise((resolve) => {
      const parts: Buffer[] = [];
      const drain = (): void => {
        for (let part = stream.read() as Buffer | null; part !== null; part = stream.read() as Buffer | null)
          parts.push(part);
      };
      const settle = (error: Error | null): void => {
        stream.off('readable', drain);
        stream.off('error', settle);
        if (error === null) {
          drain();
          stream.reset();
        } else {
          if (this.#stream === stream) this.#stream = undefined;
          stream.destroy();
        }
        resolve();
        done(error, error === null ? Buffer.concat(parts) : Buffer.alloc(0));
      };
      // Read as it comes: a large request's output would otherwise fill the stream's buffer and stop it.
      stream.on('readable', drain);
      stream.once('error', settle);
      try {
        stream.write(request);
        // Z_FINISH ends the gzip file and leaves the stream open; its callback comes once all of it has been written
        // out, and after an error too (then ignored: `settle` has had it).
        stream.flush(constants.Z_FINISH, () => {
          if (!stream.destroyed) settle(null);
        });
      } catch (error) {
        // What the stream refuses at once (a chunk that is no bytes) fails this request, not the ones after it.
        settle(error as Error);
      }
    });
  }
}
