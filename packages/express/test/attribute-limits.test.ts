import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { useOtlpReceiver } from '../../../test/support/use-otlp-receiver.js';
import { EnvReader } from '../src/env.js';
import { ATTR_MODEL_NAME, ATTR_URL_SCHEME } from '../src/semconv.js';
import {
  DEFAULT_COUNT_LIMIT,
  limitedAttributes,
  logRecordLimitsFromEnv,
  spanLimitsFromEnv,
} from '../src/signals/attribute-limits.js';
import { useEnvironment } from './environment.js';
import { recordingReporter } from './export-helpers.js';
import { useServers } from './in-memory-telemetry.js';
import { exportOneCall } from './one-call.js';

function read(variables: NodeJS.ProcessEnv) {
  const reporter = recordingReporter();
  const env = new EnvReader(variables, reporter);
  return { span: spanLimitsFromEnv(env), logRecord: logRecordLimitsFromEnv(env), reporter };
}

describe('attribute limits', () => {
  describe('from the environment', () => {
    it("are the specification's defaults when nothing is set: 128 of each count, no length limit", () => {
      const { span, logRecord } = read({});
      expect(span).to.deep.equal({
        attributeCountLimit: DEFAULT_COUNT_LIMIT,
        attributeValueLengthLimit: Infinity,
        eventCountLimit: DEFAULT_COUNT_LIMIT,
        attributePerEventCountLimit: DEFAULT_COUNT_LIMIT,
      });
      expect(DEFAULT_COUNT_LIMIT).to.equal(128);
      expect(logRecord).to.deep.equal({ attributeCountLimit: 128, attributeValueLengthLimit: Infinity });
    });

    it('take the general variables for spans and records alike', () => {
      const { span, logRecord } = read({ OTEL_ATTRIBUTE_COUNT_LIMIT: '10', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '32' });
      expect(span).to.include({ attributeCountLimit: 10, attributeValueLengthLimit: 32 });
      expect(logRecord).to.deep.equal({ attributeCountLimit: 10, attributeValueLengthLimit: 32 });
    });

    it("give each signal's own variable the last word over the general one", () => {
      const { span, logRecord } = read({
        OTEL_ATTRIBUTE_COUNT_LIMIT: '10',
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '32',
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '20',
        OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '64',
        OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: '5',
        OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT: '16',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '0',
        OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '2',
      });
      expect(span).to.deep.equal({
        attributeCountLimit: 20,
        attributeValueLengthLimit: 64,
        eventCountLimit: 0,
        attributePerEventCountLimit: 2,
      });
      expect(logRecord).to.deep.equal({ attributeCountLimit: 5, attributeValueLengthLimit: 16 });
    });

    it("take the JavaScript SDK's name for the attributes per event when the specification's is not set", () => {
      expect(read({ OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT: '3' }).span).to.include({
        attributePerEventCountLimit: 3,
      });
      const both = { OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT: '3', OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '2' };
      expect(read(both).span).to.include({ attributePerEventCountLimit: 2 });
    });

    it('ignore, with a warning, a length of 0 and values that are no whole number, and fall back past them', () => {
      const { span, logRecord, reporter } = read({
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '48',
        OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '0',
        OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: '1.5',
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '0',
      });
      expect(span).to.include({ attributeValueLengthLimit: 48, attributeCountLimit: 0 });
      expect(logRecord).to.deep.equal({ attributeCountLimit: 128, attributeValueLengthLimit: 48 });
      expect(reporter.calls.map(({ code }) => code)).to.have.members([
        'INFERLENS_BAD_ENV_OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
        'INFERLENS_BAD_ENV_OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT',
      ]);
    });
  });

  describe('limitedAttributes', () => {
    const attributes = { a: 'abcdefgh', b: 7, c: ['xyzxyzxyz', 3, 'ok'], d: true, e: 'short' };

    it('hands back the same object, nothing dropped, when it is within the limits', () => {
      const [limited, dropped] = limitedAttributes(attributes, {
        attributeCountLimit: 5,
        attributeValueLengthLimit: 9,
      });
      expect(limited).to.equal(attributes);
      expect(dropped).to.equal(0);
    });

    it('keeps the first attributes set and counts the others as dropped', () => {
      const [limited, dropped] = limitedAttributes(attributes, {
        attributeCountLimit: 2,
        attributeValueLengthLimit: Infinity,
      });
      expect(limited).to.deep.equal({ a: 'abcdefgh', b: 7 });
      expect(dropped).to.equal(3);
      expect(
        limitedAttributes(attributes, { attributeCountLimit: 0, attributeValueLengthLimit: Infinity }),
      ).to.deep.equal([{}, 5]);
    });

    it('cuts strings, and the strings of an array, leaving other values and the original as they were', () => {
      const [limited, dropped] = limitedAttributes(attributes, {
        attributeCountLimit: 128,
        attributeValueLengthLimit: 4,
      });
      expect(limited).to.deep.equal({ a: 'abcd', b: 7, c: ['xyzx', 3, 'ok'], d: true, e: 'shor' });
      expect(dropped).to.equal(0);
      expect(attributes.a).to.equal('abcdefgh');
      expect(attributes.c).to.deep.equal(['xyzxyzxyz', 3, 'ok']);
    });

    it('never cuts between the two halves of a surrogate pair', () => {
      const [limited] = limitedAttributes(
        { model: 'ab😀cd' },
        { attributeCountLimit: 128, attributeValueLengthLimit: 3 },
      );
      expect(limited).to.deep.equal({ model: 'ab' });
    });
  });
});

describe('attribute limits in the environment (own providers, over the wire)', () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ per: 'test' });
  let directory = '';
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'inferlens-limits-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  useEnvironment(() => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url,
    OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '6',
    OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '4',
    OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: '3',
  }));

  /** Every string of `attributes`, those in arrays included. */
  function stringsOf(attributes: Record<string, unknown>): string[] {
    return Object.values(attributes)
      .flat()
      .filter((value): value is string => typeof value === 'string');
  }

  it('hold the span and both records sent: the first attributes kept, their strings cut, the rest counted', async () => {
    await exportOneCall(servers, { fileSink: { enabled: true, directory } });

    const [span] = receiver().spans();
    expect(Object.keys(span.attributes)).to.have.lengthOf(4);
    expect(span.attributes['inference.protocol']).to.equal('kserve');
    // At least the status code, set last, is past the limit.
    expect(span.attributes).to.not.have.property('http.response.status_code');
    expect(span.droppedAttributesCount).to.be.greaterThan(0);
    for (const value of stringsOf(span.attributes)) expect(value).to.have.length.at.most(6);

    const records = receiver().logRecords();
    expect(records.map((record) => record.severityText)).to.have.members(['INFO', 'INFO']);
    for (const record of records) {
      const { 'inference.request.id': requestId, ...rest } = record.attributes;
      expect(rest).to.deep.equal({ 'inference.protocol': 'kserve', 'inference.operation': 'predic' });
      expect(requestId).to.be.a('string').with.lengthOf(6);
      expect(record.droppedAttributesCount).to.be.greaterThan(0);
    }

    // The files keep their records whole: the sink routes them by their attributes (record type, monitor).
    const lines = readFileSync(join(directory, 'inference_payloads', 'data', 'data.1.log'), 'utf8')
      .trim()
      .split('\n');
    const written = lines.map((line) => (JSON.parse(line) as { attributes: Record<string, unknown> }).attributes);
    expect(written.map((attributes) => attributes['inference.record.type'])).to.deep.equal(['request', 'response']);
    for (const attributes of written) {
      expect(attributes).to.include({ 'inference.protocol': 'kserve-v1', 'inference.operation': 'predict' });
      // The whole request id (a UUID), of which the records sent kept the first 6 characters.
      const requestId = attributes['inference.request.id'] as string;
      expect(requestId).to.have.lengthOf(36);
      expect(requestId.slice(0, 6)).to.equal(records[0].attributes['inference.request.id']);
    }
  });
});

describe('the span value length limit (own providers, over the wire)', () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ per: 'test' });
  useEnvironment(() => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url,
    OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '3',
  }));

  it("cuts the span's strings, its exception event's too, never between the halves of a surrogate pair", async () => {
    // The SDK's own cut, `substring(0, 3)`, keeps the emoji's first half, which goes over the wire as U+FFFD.
    const predict = (): never => {
      throw Object.assign(new TypeError('ab😀 is no model'), { code: 'xy😀' });
    };
    await exportOneCall(servers, {}, { model: 'ab😀', app: { predict } });

    const [span] = receiver().spans();
    expect(span.attributes).to.include({ [ATTR_MODEL_NAME]: 'ab', [ATTR_URL_SCHEME]: 'htt' });
    const [event] = span.events;
    expect(event.attributes).to.include({ 'exception.type': 'xy', 'exception.message': 'ab' });
  });
});

describe("the JavaScript SDK's attributes-per-event variable (own providers, over the wire)", () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ per: 'test' });
  useEnvironment(() => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url,
    OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT: '1',
  }));

  it("holds a failed call's exception event to it: the first attribute kept, the others counted", async () => {
    const predict = (): never => {
      throw new TypeError('no model');
    };
    await exportOneCall(servers, {}, { app: { predict } });

    const [event] = receiver().spans()[0].events;
    expect(event.name).to.equal('exception');
    expect(Object.keys(event.attributes)).to.have.lengthOf(1);
    expect(event.droppedAttributesCount).to.be.greaterThan(0);
  });
});
