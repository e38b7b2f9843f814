import type { ResourceItem } from './common.js';
import { writeExportRequest, writeItemField } from './common.js';
import { EncodedItem, ItemArena } from './item-arena.js';
import { ProtobufWriter } from './protobuf-writer.js';

/** What a lost item's `note` is made from: a log record's monitor name, say; none by default. */
export type NoteOf<T> = (item: T) => string | undefined;

/** Room for the `ResourceLogs`/`ScopeLogs` (or spans') headers of a request, beyond its items' bytes. */
const HEADER_BYTES_GUESS = 1024;

/**
 * Writes records or spans in protobuf as they are queued, into an
 * {@link ItemArena}, and an export request from the items written: their
 * bytes under their resource's and scope's, the same bytes the SDK's
 * protobuf serializer writes for the records or spans themselves.
 */
export class ItemEncoder<T extends ResourceItem> {
  readonly #arena = new ItemArena();
  /** One writer for every item: it grows to the largest once. */
  readonly #scratch = new ProtobufWriter();
  readonly #writeItem: (writer: ProtobufWriter, item: T) => void;
  readonly #noteOf: NoteOf<T> | undefined;

  /**
   * @param writeItem writes one item's fields (`writeLogRecord`, `writeSpan`).
   * @param noteOf the note each item is held with; none by default.
   */
  constructor(writeItem: (writer: ProtobufWriter, item: T) => void, noteOf?: NoteOf<T>) {
    this.#writeItem = writeItem;
    this.#noteOf = noteOf;
  }

  /** `item` as a queue holds it: its bytes when `queued`, else only its note (the queue drops it). */
  hold(item: T, queued: boolean): EncodedItem {
    const note = this.#noteOf?.(item);
    const { resource, instrumentationScope } = item;
    if (!queued) return new EncodedItem(resource, instrumentationScope, undefined, 0, 0, note);
    this.#scratch.reset();
    writeItemField(this.#scratch, item, this.#writeItem);
    return this.#arena.hold(resource, instrumentationScope, this.#scratch, note);
  }

  /** An export request of `items`, whose bytes are then released for the items queued next. */
  serialize(items: readonly EncodedItem[]): Uint8Array {
    let bytes = HEADER_BYTES_GUESS;
    for (const item of items) bytes += item.end - item.start;
    const writer = new ProtobufWriter(bytes);
    writeExportRequest(writer, items, (into, item) => this.#arena.writeTo(into, item));
    for (const item of items) this.#arena.release(item);
    return writer.finish();
  }
}
