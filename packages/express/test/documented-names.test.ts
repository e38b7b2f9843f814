/**
 * The names on the wire are the ones docs/telemetry.md lists: the
 * attribute names, the values of the protocol, record type and outcome,
 * the `error.type` of an aborted call and of one cut off at shutdown, the
 * redaction marker, and every metric's name, instrument, unit and buckets,
 * and the limits it gives (attribute length, attribute sets, column sets,
 * files written at once).
 * Dashboards and queries are written against the document, so a renamed
 * constant must fail here.
 */
import { expect } from 'chai';
import type { MetricKind } from '../src/metrics/descriptors.js';
import {
  BATCH_SIZE,
  METRIC_DEFINITIONS,
  MODEL_EXECUTION_DURATION,
  PAYLOAD_SIZE,
  REQUEST_DURATION,
} from '../src/metrics/descriptors.js';
import { CARDINALITY_LIMIT } from '../src/metrics/aggregated-metrics.js';
import { MAX_ATTRIBUTE_VALUE_LENGTH, MAX_ERROR_TEXT_LENGTH } from '../src/attribute-value.js';
import { MAX_CONCURRENT_WRITES } from '../src/file-sink/write-slots.js';
import { REDACTED } from '../src/payload/redact.js';
import { MAX_SCHEMAS_PER_MONITOR } from '../src/written-schemas.js';
import * as semconv from '../src/semconv.js';
import { readDoc, tableRows } from '../../../test/support/documented-table.js';

const DOC = readDoc('docs/telemetry.md');

/** How the document names each kind of instrument. */
const DOCUMENTED_KINDS: Record<string, MetricKind> = {
  histogram: 'histogram',
  counter: 'counter',
  'up-down counter': 'gauge',
  gauge: 'gauge',
};

describe('the names docs/telemetry.md lists', () => {
  it('include every attribute name the middleware writes', () => {
    const names = Object.entries(semconv)
      .filter(([key, value]) => key.startsWith('ATTR_') && typeof value === 'string' && !value.endsWith('.'))
      .map(([, value]) => value as string);
    expect(names).to.include.members(['inference.duration', 'inference.request.id', 'error.type']);
    for (const name of names) expect(DOC, name).to.include(`\`${name}\``);
    expect(DOC).to.include(`\`${semconv.ATTR_HTTP_REQUEST_HEADER_PREFIX}`);
  });

  it("give an aborted call's error.type", () => {
    expect(DOC).to.include(`\`${semconv.ERROR_TYPE_ABORTED}\` when the client left`);
  });

  it("give the error.type of a call the server's shutdown cut off", () => {
    expect(DOC).to.include(
      `\`${semconv.ERROR_TYPE_SERVER_SHUTDOWN}\` when \`inferlens serve\`'s shutdown timeout cut it off`,
    );
  });

  it('give the values of inference.protocol, inference.record.type and inference.outcome', () => {
    const listed = (values: object, separator: string): string =>
      Object.values(values)
        .map((value) => `\`${value as string}\``)
        .join(separator);
    expect(DOC).to.include(`| ${listed(semconv.PROTOCOL, ', ')} `);
    expect(DOC).to.include(`\`${semconv.ATTR_OUTCOME}\` (${listed(semconv.OUTCOME, '/')})`);
    const recordTypes = tableRows(DOC, '## Log records').map(([, type]) => type);
    expect(recordTypes).to.deep.equal(Object.values(semconv.RECORD_TYPE));
  });

  it('give the text a redacted payload field is replaced by', () => {
    expect(DOC).to.include(`are replaced by \`"${REDACTED}"\``);
  });

  it("are every metric's name, instrument and unit, and no other", () => {
    const rows = tableRows(DOC, '## Metrics').map(([name, instrument, unit]) => ({
      name,
      kind: DOCUMENTED_KINDS[instrument],
      unit,
    }));
    const defined = METRIC_DEFINITIONS.map(({ name, kind, unit }) => ({ name, kind, unit }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(defined.sort(byName)).to.deep.equal(rows.sort(byName));
  });

  it('span the duration buckets the document gives: 0.5 ms to 10 s', () => {
    expect(DOC).to.include('Duration histograms use buckets from 0.5 ms to 10 s');
    for (const { name, boundaries } of [REQUEST_DURATION, MODEL_EXECUTION_DURATION])
      expect([boundaries[0], boundaries[boundaries.length - 1]], name).to.deep.equal([0.0005, 10]);
  });

  it('are the batch and payload size buckets the document gives: powers of two and of four', () => {
    expect(DOC.replace(/\s+/g, ' ')).to.include(
      "The batch size's buckets are the powers of two from 1 to 1024 rows, the payload size's the powers of four from 256 B to 16 MiB.",
    );
    const powers = (base: number, from: number, to: number): number[] =>
      Array.from({ length: to - from + 1 }, (_, index) => base ** (from + index));
    expect(BATCH_SIZE.boundaries).to.deep.equal(powers(2, 0, 10));
    expect(PAYLOAD_SIZE.boundaries).to.deep.equal(powers(4, 4, 12));
  });

  it('give the limits the middleware keeps to', () => {
    const prose = DOC.replace(/\s+/g, ' ');
    expect(prose).to.include(`What a client sends is cut to ${MAX_ATTRIBUTE_VALUE_LENGTH} characters`);
    expect(prose).to.include(`stack are cut to ${MAX_ERROR_TEXT_LENGTH} characters`);
    expect(prose).to.include(`at most ${CARDINALITY_LIMIT} attribute sets are kept per metric`);
    expect(prose).to.include(`At most ${MAX_SCHEMAS_PER_MONITOR} column sets are remembered per monitor`);
    expect(prose).to.include(`At most ${MAX_CONCURRENT_WRITES} files are written at once`);
  });
});
