import type { ResourceItem } from '../src/export/otlp-protobuf/common.js';
import { ItemEncoder } from '../src/export/otlp-protobuf/item-encoder.js';
import type { ProtobufWriter } from '../src/export/otlp-protobuf/protobuf-writer.js';

/** What the protobuf exporters send for `items`: each written as it is queued, then one request of them all. */
export function encodedRequest<T extends ResourceItem>(
  writeItem: (writer: ProtobufWriter, item: T) => void,
  items: readonly T[],
): Buffer {
  const encoder = new ItemEncoder(writeItem);
  return Buffer.from(encoder.serialize(items.map((item) => encoder.hold(item, true))));
}
