import type { Attributes, HrTime, SpanContext } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { TraceState } from '@opentelemetry/core';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { expect } from 'chai';
import { writeKeyValues } from '../src/export/otlp-protobuf/common.js';
import { writeLogRecord } from '../src/export/otlp-protobuf/logs.js';
import { ProtobufWriter } from '../src/export/otlp-protobuf/protobuf-writer.js';
import { writeSpan } from '../src/export/otlp-protobuf/traces.js';
import { encodedRequest } from './encoded-request.js';

const resource = resourceFromAttributes({ 'service.name': 'inferlens-test', 'deployment.environment.name': 'ci' });
const otherResource = resourceFromAttributes(
  { 'service.name': 'other', 'host.cpus': 2 },
  { schemaUrl: 'https://opentelemetry.io/schemas/1.37.0' },
);
const scope = { name: '@inferlens/express', version: '1.2.3' };
const schemaScope = { name: 'other-scope', schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' };
const context: SpanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
};
const now: HrTime = [1_763_800_000, 123_456_789];

/** Every attribute value type OTLP has, with the lengths that change how a length is written. */
const attributes: Attributes = {
  'inference.request.id': 'r-1',
  'inference.model.name': 'iris',
  'inference.batch.size': 2,
  'inference.duration': 0.004_25,
  'negative.int': -17,
  'large.int': 2 ** 40 + 3,
  'beyond.int64': 2 ** 70,
  // The first integer past int64: a double, not an int_value.
  'int64.bound': 2 ** 63,
  'not.finite': Number.POSITIVE_INFINITY,
  flag: false,
  'unicode.text': 'naïve café ☕ — 東京 🚀',
  'lone.surrogate': 'a\ud800b',
  'medium.ascii': 'z'.repeat(100),
  'medium.unicode': `${'x'.repeat(50)}é${'y'.repeat(20)}`,
  // Few UTF-16 units, past 127 bytes: a two-byte length.
  'short.multibyte': '☕'.repeat(50),
  'long.text': 'x'.repeat(200),
  'longer.text': 'é'.repeat(9000),
  strings: ['a', 'b', ''],
  numbers: [1, 2.5, -3],
  mixed: [true, null, undefined, 'z'] as unknown as string[],
  'http.request.header.x-tenant': ['acme'],
  'absent.value': undefined,
};

function record(overrides: Partial<ReadableLogRecord> = {}): ReadableLogRecord {
  return {
    hrTime: now,
    hrTimeObserved: [now[0], now[1] + 1000],
    spanContext: context,
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: '{"instances": [[6.8, 2.8, 4.8, 1.4]]}',
    resource,
    instrumentationScope: scope,
    attributes,
    droppedAttributesCount: 0,
    ...overrides,
  };
}

function span(overrides: Partial<ReadableSpan> & { context?: SpanContext } = {}): ReadableSpan {
  const spanContext = overrides.context ?? context;
  return {
    name: 'predict iris',
    kind: SpanKind.SERVER,
    spanContext: () => spanContext,
    parentSpanContext: undefined,
    startTime: now,
    endTime: [now[0], now[1] + 500_000],
    status: { code: SpanStatusCode.UNSET },
    attributes,
    links: [],
    events: [],
    duration: [0, 500_000],
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...overrides,
  };
}

function bytesOf(serialized: Uint8Array | undefined): Buffer {
  if (serialized === undefined) throw new Error('the SDK serializer wrote nothing');
  return Buffer.from(serialized);
}

describe('OTLP protobuf serializers', () => {
  describe('logs', () => {
    const cases: Record<string, ReadableLogRecord[]> = {
      'one record with every attribute type': [record()],
      'a batch of records': Array.from({ length: 300 }, (_, index) =>
        record({ body: `{"n": ${index}}`, attributes: { 'inference.request.id': `r-${index}` } }),
      ),
      'records of two resources and two scopes': [
        record(),
        record({ resource: otherResource }),
        record({ instrumentationScope: schemaScope }),
        record({ resource: otherResource, instrumentationScope: schemaScope }),
      ],
      'structured, binary, long and missing bodies': [
        record({ body: { predictions: [1, 2], nested: { ok: true, ratio: 0.5 }, none: null } }),
        record({ body: new Uint8Array([0, 1, 2, 255]) }),
        record({ body: 'y'.repeat(70_000) }),
        record({ body: undefined }),
      ],
      'records without a span, severity or attributes, and with an event name': [
        record({ spanContext: undefined, severityNumber: undefined, severityText: undefined, attributes: {} }),
        record({
          severityNumber: SeverityNumber.UNSPECIFIED,
          eventName: 'inference.monitor',
          droppedAttributesCount: 3,
        }),
        record({ spanContext: { ...context, traceFlags: TraceFlags.NONE } }),
      ],
      'a record of a logger given scope attributes': [
        record({ instrumentationScope: { ...scope, attributes: { 'scope.team': 'ml' }, droppedAttributesCount: 1 } }),
      ],
    };
    for (const [name, records] of Object.entries(cases)) {
      it(`writes the same bytes as the SDK serializer: ${name}`, () => {
        expect(encodedRequest(writeLogRecord, records)).to.deep.equal(
          bytesOf(ProtobufLogsSerializer.serializeRequest(records)),
        );
      });
    }

    it("writes the same bytes wherever the item writer's first buffer (4096 bytes) runs out", () => {
      // Short string values, whose messages hold no varint, end at every offset around the first buffer's end.
      const shortValues = { a: 'x', b: 'yz', c: '', d: 'iris' };
      for (let bodyLength = 3800; bodyLength < 4100; bodyLength++) {
        const records = [record({ body: 'b'.repeat(bodyLength), attributes: shortValues })];
        expect(encodedRequest(writeLogRecord, records), `body of ${bodyLength}`).to.deep.equal(
          bytesOf(ProtobufLogsSerializer.serializeRequest(records)),
        );
      }
    });
  });

  describe('traces', () => {
    const remoteParent: SpanContext = { ...context, spanId: '00f067aa0ba902b7', isRemote: true };
    const cases: Record<string, ReadableSpan[]> = {
      'one span with every attribute type': [span()],
      'a batch of spans': Array.from({ length: 300 }, (_, index) =>
        span({ name: `predict model-${index}`, attributes: { 'inference.request.id': `r-${index}` } }),
      ),
      'spans of two resources and two scopes': [
        span(),
        span({ resource: otherResource }),
        span({ instrumentationScope: schemaScope }),
        span({ resource: otherResource, instrumentationScope: schemaScope }),
      ],
      'a failed child of a remote parent, with an exception event and trace state': [
        span({
          kind: SpanKind.INTERNAL,
          context: { ...context, traceState: new TraceState('vendor=value,other=1') },
          parentSpanContext: remoteParent,
          status: { code: SpanStatusCode.ERROR, message: 'input "x" expected FP32, got INT64' },
          events: [
            { name: 'exception', time: now, attributes: { 'exception.message': 'bad', 'exception.type': 'Error' } },
            { name: 'bare event', time: now, droppedAttributesCount: 2 },
          ],
          droppedAttributesCount: 1,
          droppedEventsCount: 4,
        }),
      ],
      'a span with links and an unsampled context': [
        span({
          context: { ...context, traceFlags: TraceFlags.NONE },
          parentSpanContext: { ...remoteParent, isRemote: false },
          links: [
            { context: remoteParent, attributes: { reason: 'batch' } },
            { context: { ...context, traceState: new TraceState('k=v') }, droppedAttributesCount: 1 },
          ],
          droppedLinksCount: 2,
        }),
      ],
    };
    for (const [name, spans] of Object.entries(cases)) {
      it(`writes the same bytes as the SDK serializer: ${name}`, () => {
        expect(encodedRequest(writeSpan, spans)).to.deep.equal(
          bytesOf(ProtobufTraceSerializer.serializeRequest(spans)),
        );
      });
    }
  });

  describe('ProtobufWriter', () => {
    it('writes nanosecond timestamps exactly, far past 2038', () => {
      const times: HrTime[] = [
        [0, 0],
        [1_763_800_000, 999_999_999],
        [4_102_444_800, 1],
        [4_294_967_295, 999_999_999],
      ];
      for (const time of times) {
        const writer = new ProtobufWriter(16);
        writer.hrTime(time);
        const expected = BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
        expect(Buffer.from(writer.finish()).readBigUInt64LE(0)).to.equal(expected);
      }
    });

    it('grows past its first size and keeps what it wrote', () => {
      const writer = new ProtobufWriter(64);
      const text = 'ü'.repeat(5000);
      writer.string(text);
      writer.varint(300);
      const bytes = Buffer.from(writer.finish());
      // a two-byte length (10000 bytes of UTF-8), the text, then 300 as a varint
      expect(bytes.subarray(0, 2)).to.deep.equal(Buffer.from([0x90, 0x4e]));
      expect(bytes.subarray(2, 10_002).toString('utf8')).to.equal(text);
      expect(bytes.subarray(10_002)).to.deep.equal(Buffer.from([0xac, 0x02]));
    });

    it('grows for a negative varint, ten bytes, near the end of the buffer', () => {
      const writer = new ProtobufWriter(64);
      // A one-byte length and 58 bytes: 59 of the 64, five short of the ten that -1 takes.
      writer.bytes(new Uint8Array(58));
      writer.varint(-1);
      const bytes = Buffer.from(writer.finish());
      expect(bytes.length).to.equal(69);
      expect(bytes.subarray(59)).to.deep.equal(
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      );
    });

    it('grows when a message outgrows its reserved length at the end of the buffer', () => {
      // Exactly the size written below, whatever the growth policy: the second length byte needs room.
      const writer = new ProtobufWriter(256);
      const start = writer.beginMessage();
      // One reserved length byte, a two-byte length prefix and 253 bytes: 256 bytes.
      writer.bytes(new Uint8Array(253).fill(7));
      writer.endMessage(start);
      const bytes = Buffer.from(writer.finish());
      expect(bytes.length).to.equal(257);
      expect(bytes.subarray(0, 4)).to.deep.equal(Buffer.from([0xff, 0x01, 0xfd, 0x01]));
      expect(bytes.subarray(4).every((byte) => byte === 7)).to.equal(true);
    });

    it('writes the same bytes whatever its first size', () => {
      const write = (initialBytes: number): Buffer => {
        const writer = new ProtobufWriter(initialBytes);
        writeKeyValues(writer, { ...attributes, nested: [{ a: 'x', b: [1, 'yz', ''] }, 'w'] as never }, 1);
        return Buffer.from(writer.finish());
      };
      const unbounded = write(1 << 20);
      for (let initialBytes = 64; initialBytes < 1024; initialBytes++) {
        expect(write(initialBytes), `first size ${initialBytes}`).to.deep.equal(unbounded);
      }
    });

    it('keeps a message that ends within a varint of the end of the buffer', () => {
      const writer = new ProtobufWriter(64);
      // A 58-byte field (59 bytes with its length), then a message whose four bytes fill the buffer to its last byte.
      writer.bytes(new Uint8Array(58));
      const start = writer.beginMessage();
      writer.fixed32(0x04_03_02_01);
      writer.endMessage(start);
      const bytes = Buffer.from(writer.finish());
      expect(bytes.subarray(59)).to.deep.equal(Buffer.from([4, 1, 2, 3, 4]));
    });

    it('writes a malformed hex id as zero bytes of the declared length', () => {
      const writer = new ProtobufWriter();
      writer.hexBytes('zz00');
      expect(Buffer.from(writer.finish())).to.deep.equal(Buffer.from([2, 0, 0]));
    });
  });
});
