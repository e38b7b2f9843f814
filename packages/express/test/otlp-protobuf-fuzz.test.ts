import type { Attributes, HrTime, Link, SpanContext } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { AnyValue } from '@opentelemetry/api-logs';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { TraceState } from '@opentelemetry/core';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { Resource } from '@opentelemetry/resources';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { expect } from 'chai';
import { uniformGenerator } from '../../../scripts/demo-models/seeded-random.js';
import { writeLogRecord } from '../src/export/otlp-protobuf/logs.js';
import { writeSpan } from '../src/export/otlp-protobuf/traces.js';
import { encodedRequest } from './encoded-request.js';

/** Batches per signal: enough to reach every branch below many times, few enough to take about a second. */
const BATCHES = 120;
const ASCII_CHARACTERS = ['a', 'Z', '0', ' ', '"', '\u0000'];
/** Two-, three- and four-byte characters and lone surrogates (each written as U+FFFD). */
const OTHER_CHARACTERS = ['é', 'ß', '☕', '東', '\uffff', '🚀', '𝄞', '\ud800', '\udfff'];
/** How deep arrays and kvlists nest inside an attribute value or a body. */
const MAX_DEPTH = 3;

/** Telemetry values drawn from a seeded generator: a failing seed (named in the assertion) replays. */
class Generator {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = uniformGenerator(seed);
  }

  int(below: number): number {
    return Math.floor(this.#next() * below);
  }

  chance(probability: number): boolean {
    return this.#next() < probability;
  }

  pick<T>(choices: readonly T[]): T {
    return choices[this.int(choices.length)];
  }

  times<T>(most: number, make: (index: number) => T): T[] {
    return Array.from({ length: this.int(most + 1) }, (_, index) => make(index));
  }

  /**
   * Strings that take every path of a UTF-8 writer: ASCII, 2-, 3- and 4-byte
   * characters, lone surrogates, lengths around each boundary of the
   * one-byte length and of the short-string copy, and past 64 KiB.
   */
  string(): string {
    const length = this.chance(0.9)
      ? this.pick([0, 1, 2, 3, 4, 6, 9, 41, 42, 43, 63, 64, 126, 127, 128, 200])
      : this.pick([5000, 16_400, 70_000]);
    const characters = this.chance(0.5) ? ASCII_CHARACTERS : [...ASCII_CHARACTERS, ...OTHER_CHARACTERS];
    // A random run repeated: long strings stay cheap to make.
    const run = Array.from({ length: 16 }, () => this.pick(characters)).join('');
    return run.repeat(Math.ceil(length / run.length)).slice(0, length);
  }

  number(): number {
    return this.pick([
      0,
      -0,
      1,
      -1,
      127,
      128,
      2 ** 31,
      -(2 ** 31),
      2 ** 32,
      -(2 ** 32) - 1,
      2 ** 53 + 2,
      -(2 ** 53) - 2,
      2 ** 63,
      -(2 ** 63),
      2 ** 70,
      0.5,
      -1e-300,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      this.int(1_000_000) - 500_000,
      this.int(1_000_000) / 7,
    ]);
  }

  anyValue(depth = 0): unknown {
    const kinds = depth < MAX_DEPTH ? 10 : 8;
    switch (this.int(kinds)) {
      case 0:
      case 1:
        return this.string();
      case 2:
        return this.chance(0.5);
      case 3:
        return this.number();
      case 4:
        return Uint8Array.from(this.times(300, () => this.int(256)));
      case 5:
        return null;
      case 6:
        return undefined;
      case 7:
        // Values outside AnyValue (written as an empty one) and objects that are not plain.
        return this.pick([
          10n,
          Symbol('s'),
          () => 1,
          new Date(0),
          new Float32Array([1.5, -2]),
          Buffer.from('buf'),
          [, 1],
        ]);
      case 8:
        return this.times(4, () => this.anyValue(depth + 1));
      default:
        return Object.fromEntries(this.times(4, () => [this.string().slice(0, 50), this.anyValue(depth + 1)]));
    }
  }

  attributes(): Attributes {
    return Object.fromEntries(
      this.times(6, (index) => [this.chance(0.2) ? '' : `key.${index}.${this.string().slice(0, 30)}`, this.anyValue()]),
    ) as Attributes;
  }

  hrTime(): HrTime {
    const seconds = this.pick([0, 1, 1_763_800_000, 2 ** 31, 4_102_444_800, 2 ** 32 - 1, this.int(2 ** 32)]);
    // Nanoseconds past a second too: an HrTime built by adding durations need not be normalized.
    return [seconds, this.pick([0, 1, 999_999_999, this.int(1_000_000_000), 4_294_967_295, 2 ** 40])];
  }

  hex(bytes: number): string {
    const hex = Array.from({ length: bytes }, () => this.int(256).toString(16).padStart(2, '0')).join('');
    return this.chance(0.2) ? hex.toUpperCase() : hex;
  }

  spanContext(): SpanContext {
    return {
      traceId: this.hex(16),
      spanId: this.hex(8),
      traceFlags: this.pick([0, 1, 0xff]),
      isRemote: this.pick([undefined, false, true]),
      traceState: this.chance(0.3) ? new TraceState(`vendor=${this.int(1000)},k=v`) : undefined,
    };
  }

  count(): number {
    return this.pick([0, 0, 1, 127, 128, 2 ** 32 - 1]);
  }
}

/** A few resources and scopes shared by a batch's items, so grouping meets repeats in any order. */
function sources(generator: Generator): { resources: Resource[]; scopes: ReadableLogRecord['instrumentationScope'][] } {
  const resources = generator.times(2, () =>
    resourceFromAttributes(
      generator.attributes() as Record<string, string>,
      generator.chance(0.5) ? { schemaUrl: `https://opentelemetry.io/schemas/1.${generator.int(40)}.0` } : {},
    ),
  );
  resources.push(resourceFromAttributes({}));
  const scopes: ReadableLogRecord['instrumentationScope'][] = generator.times(2, (index) => ({
    name: generator.chance(0.2) ? '' : `scope-${index}`,
    version: generator.pick([undefined, '', '1.2.3']),
    schemaUrl: generator.pick([undefined, '', 'https://opentelemetry.io/schemas/1.37.0']),
    // A logger's scope may carry attributes (LoggerProvider.getLogger's options).
    attributes: generator.chance(0.5) ? generator.attributes() : undefined,
    droppedAttributesCount: generator.pick([undefined, 0, 2]),
  }));
  scopes.push({ name: 'plain', version: undefined, schemaUrl: undefined });
  return { resources, scopes };
}

function logBatch(generator: Generator): ReadableLogRecord[] {
  const { resources, scopes } = sources(generator);
  return generator.times(12, () => ({
    hrTime: generator.hrTime(),
    hrTimeObserved: generator.hrTime(),
    spanContext: generator.chance(0.7) ? generator.spanContext() : undefined,
    severityNumber: generator.pick([undefined, SeverityNumber.UNSPECIFIED, SeverityNumber.INFO, SeverityNumber.FATAL4]),
    severityText: generator.pick([undefined, '', 'INFO', 'ошибка']),
    body: generator.anyValue() as AnyValue,
    eventName: generator.pick([undefined, '', 'inference.monitor']),
    resource: generator.pick(resources),
    instrumentationScope: generator.pick(scopes),
    attributes: generator.attributes(),
    droppedAttributesCount: generator.count(),
  }));
}

function spanBatch(generator: Generator): ReadableSpan[] {
  const { resources, scopes } = sources(generator);
  return generator.times(12, () => {
    const context = generator.spanContext();
    const events: TimedEvent[] = generator.times(3, () => ({
      name: generator.string().slice(0, 100),
      time: generator.hrTime(),
      attributes: generator.chance(0.7) ? generator.attributes() : undefined,
      droppedAttributesCount: generator.pick([undefined, 0, 3]),
    }));
    const links: Link[] = generator.times(3, () => ({
      context: generator.spanContext(),
      attributes: generator.chance(0.7) ? generator.attributes() : undefined,
      droppedAttributesCount: generator.pick([undefined, 0, 2]),
    }));
    return {
      name: generator.string(),
      kind: generator.pick([SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER]),
      spanContext: () => context,
      parentSpanContext: generator.chance(0.6) ? generator.spanContext() : undefined,
      startTime: generator.hrTime(),
      endTime: generator.hrTime(),
      status: {
        code: generator.pick([SpanStatusCode.UNSET, SpanStatusCode.OK, SpanStatusCode.ERROR]),
        message: generator.pick([undefined, '', 'input "x" expected FP32']),
      },
      attributes: generator.attributes(),
      links,
      events,
      duration: [0, 1],
      ended: true,
      resource: generator.pick(resources),
      instrumentationScope: generator.pick(scopes),
      droppedAttributesCount: generator.count(),
      droppedEventsCount: generator.count(),
      droppedLinksCount: generator.count(),
    };
  });
}

function sdkBytes(serialized: Uint8Array | undefined): Buffer {
  if (serialized === undefined) throw new Error('the SDK serializer wrote nothing');
  return Buffer.from(serialized);
}

describe('OTLP protobuf serializers against the SDK, on seeded random batches', () => {
  it('write the same bytes for log records', () => {
    for (let seed = 1; seed <= BATCHES; seed++) {
      const records = logBatch(new Generator(seed));
      expect(encodedRequest(writeLogRecord, records), `seed ${seed}`).to.deep.equal(
        sdkBytes(ProtobufLogsSerializer.serializeRequest(records)),
      );
    }
  });

  it('write the same bytes for spans', () => {
    for (let seed = 1; seed <= BATCHES; seed++) {
      const spans = spanBatch(new Generator(seed));
      expect(encodedRequest(writeSpan, spans), `seed ${seed}`).to.deep.equal(
        sdkBytes(ProtobufTraceSerializer.serializeRequest(spans)),
      );
    }
  });
});
