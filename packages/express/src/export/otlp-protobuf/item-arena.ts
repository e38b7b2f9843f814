import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ResourceItem } from './common.js';
import type { ProtobufWriter } from './protobuf-writer.js';

/**
 * Bytes per chunk: about a hundred queued records or spans of the usual
 * size. An item larger than a chunk gets a chunk of its own size, which is
 * not kept for reuse.
 */
export const ARENA_CHUNK_BYTES = 64 * 1024;
/**
 * Emptied chunks kept for reuse, 1 MiB in all: the chunks a batch of 512
 * usual items frees at once, taken again by the next ones queued. Past it,
 * an emptied chunk is left to the garbage collector.
 */
const ARENA_SPARE_CHUNKS = 16;

/** One buffer of the arena; `held` counts the items in it whose bytes are still needed. */
interface ArenaChunk {
  readonly buffer: Buffer;
  used: number;
  held: number;
}

/**
 * A record or a span as an export queue holds it: its protobuf field (tag,
 * length and content), written when it was queued, from `start` to `end`
 * of its chunk; with the resource and scope it is exported under, and the
 * `note` the queue's loss listener is told of. The chunk is gone once the
 * bytes are released (or when the item was never written: the full queue
 * dropped it). A class, where an object literal would do: V8 notes where
 * each literal is made, and once nearly every object made at one place
 * has outlived a young-generation collection, as queued items waiting for
 * their batch do, it makes the next ones there in the old generation
 * directly (allocation-site pretenuring), where they die a batch later and
 * wait for a full collection. Under load, that grew the old generation by
 * 1.4 MB/s where the class's instances grow it by 0.3 (bench/README.md).
 */
export class EncodedItem implements ResourceItem {
  constructor(
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
    public chunk: ArenaChunk | undefined,
    readonly start: number,
    readonly end: number,
    readonly note: string | undefined,
  ) {}
}

/**
 * Where one export queue's items are written when queued: a few reused
 * 64 KiB buffers rather than an object graph per item. Items queued and
 * waiting for their batch survive a collection or two of the young
 * generation, which copies and then promotes every object they hold (a
 * span's or a record's attributes, events, contexts and strings); bytes in
 * a buffer are neither copied nor scanned. Items are written one after
 * another; a chunk is reused once every item in it has been released,
 * that is, copied into an export request.
 */
export class ItemArena {
  #current: ArenaChunk = newChunk(ARENA_CHUNK_BYTES);
  readonly #spare: ArenaChunk[] = [];

  /** Copies what `writer` holds (one item's field) into the arena. */
  hold(resource: Resource, scope: InstrumentationScope, writer: ProtobufWriter, note: string | undefined): EncodedItem {
    const length = writer.length;
    const chunk = this.#room(length);
    const start = chunk.used;
    writer.copyTo(chunk.buffer, start);
    chunk.used += length;
    chunk.held++;
    return new EncodedItem(resource, scope, chunk, start, start + length, note);
  }

  /** Writes `item`'s bytes to `writer`. */
  writeTo(writer: ProtobufWriter, item: EncodedItem): void {
    if (item.chunk !== undefined) writer.raw(item.chunk.buffer, item.start, item.end);
  }

  /** Gives `item`'s bytes back: once every item of its chunk is, the chunk is reused. Later calls do nothing. */
  release(item: EncodedItem): void {
    const chunk = item.chunk;
    if (chunk === undefined) return;
    item.chunk = undefined;
    if (--chunk.held > 0) return;
    chunk.used = 0;
    if (chunk !== this.#current && chunk.buffer.length === ARENA_CHUNK_BYTES && this.#spare.length < ARENA_SPARE_CHUNKS)
      this.#spare.push(chunk);
  }

  /** The chunk the next `length` bytes go into. */
  #room(length: number): ArenaChunk {
    if (this.#current.used + length <= this.#current.buffer.length) return this.#current;
    if (length > ARENA_CHUNK_BYTES) return newChunk(length);
    this.#current = this.#spare.pop() ?? newChunk(ARENA_CHUNK_BYTES);
    return this.#current;
  }
}

function newChunk(bytes: number): ArenaChunk {
  // Not from Node's shared pool: a chunk is kept for as long as it is reused.
  return { buffer: Buffer.allocUnsafeSlow(bytes), used: 0, held: 0 };
}
