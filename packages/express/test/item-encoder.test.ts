import { SeverityNumber } from '@opentelemetry/api-logs';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { expect } from 'chai';
import { ARENA_CHUNK_BYTES } from '../src/export/otlp-protobuf/item-arena.js';
import { ItemEncoder } from '../src/export/otlp-protobuf/item-encoder.js';
import { writeLogRecord } from '../src/export/otlp-protobuf/logs.js';

const resource = resourceFromAttributes({ 'service.name': 'inferlens-test' });

function record(index: number, bodyBytes = 1000): ReadableLogRecord {
  return {
    hrTime: [1_763_800_000, index],
    hrTimeObserved: [1_763_800_000, index],
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: `${index}:`.padEnd(bodyBytes, 'x'),
    resource,
    instrumentationScope: { name: '@inferlens/express' },
    attributes: { 'inference.request.id': `r-${index}` },
    droppedAttributesCount: 0,
  };
}

function sdkBytes(records: ReadableLogRecord[]): Buffer {
  return Buffer.from(ProtobufLogsSerializer.serializeRequest(records)!);
}

describe('ItemEncoder', () => {
  it('writes each batch as the SDK does while the chunks emptied by earlier batches take the items queued next', () => {
    const encoder = new ItemEncoder(writeLogRecord);
    const records = Array.from({ length: 600 }, (_, index) => record(index));
    // 300 items of about 1 KB fill several 64 KiB chunks; the first batch empties the first chunk.
    const held = records.slice(0, 300).map((item) => encoder.hold(item, true));
    const firstChunk = held[0].chunk;
    const perChunk = held.filter((item) => item.chunk === firstChunk).length;
    expect(perChunk).to.be.within(2, 299);
    expect(encoder.serialize(held.slice(0, perChunk))).to.deep.equal(sdkBytes(records.slice(0, perChunk)));
    held.push(...records.slice(300).map((item) => encoder.hold(item, true)));
    expect(
      held.slice(300).some((item) => item.chunk === firstChunk),
      'the emptied chunk taken again',
    ).to.equal(true);
    for (let start = perChunk; start < held.length; start += 100) {
      const end = Math.min(start + 100, held.length);
      expect(encoder.serialize(held.slice(start, end)), `batch from ${start}`).to.deep.equal(
        sdkBytes(records.slice(start, end)),
      );
    }
  });

  it('gives an item larger than a chunk a chunk of its own', () => {
    const encoder = new ItemEncoder(writeLogRecord);
    const records = [record(0), record(1, 2 * ARENA_CHUNK_BYTES), record(2)];
    const held = records.map((item) => encoder.hold(item, true));
    expect(held[1].chunk).to.not.equal(held[0].chunk);
    expect(held[2].chunk).to.equal(held[0].chunk);
    expect(encoder.serialize(held)).to.deep.equal(sdkBytes(records));
  });

  it('releases an item once: a batch written again leaves the other items of its chunk as they were', () => {
    const encoder = new ItemEncoder(writeLogRecord);
    // c is larger than a: written where a was, it would run over b.
    const [a, b, c] = [record(0), record(1), record(2, 3000)];
    const heldA = encoder.hold(a, true);
    const heldB = encoder.hold(b, true);
    encoder.serialize([heldA]);
    // A second release of a would leave the chunk counted empty while b is still in it, and c would overwrite b.
    encoder.serialize([heldA]);
    const heldC = encoder.hold(c, true);
    expect(encoder.serialize([heldB, heldC])).to.deep.equal(sdkBytes([b, c]));
  });

  it('holds an item the queue drops without its bytes, with its note', () => {
    const encoder = new ItemEncoder(writeLogRecord, (item) => item.attributes['inference.request.id'] as string);
    const dropped = encoder.hold(record(7), false);
    expect(dropped).to.include({ chunk: undefined, note: 'r-7', resource });
    expect(encoder.hold(record(8), true).note).to.equal('r-8');
  });
});
