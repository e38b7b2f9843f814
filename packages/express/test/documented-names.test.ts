/**
 * The names on the wire are the ones docs/telemetry.md lists: the
 * attribute names, the `error.type` of an aborted call, and every metric's
 * name, instrument, unit and duration buckets. Dashboards and queries are
 * written against the document, so a renamed constant must fail here.
 */
import { expect } from 'chai';
import type { MetricKind } from '../src/metrics/descriptors.js';
import { METRIC_DEFINITIONS, REQUEST_DURATION } from '../src/metrics/descriptors.js';
import * as semconv from '../src/semconv.js';
import { readDoc, tableRows } from './documented-table.js';

const DOC = readDoc('telemetry.md');

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
    const bounds = REQUEST_DURATION.boundaries;
    expect([bounds[0], bounds[bounds.length - 1]]).to.deep.equal([0.0005, 10]);
  });
});
