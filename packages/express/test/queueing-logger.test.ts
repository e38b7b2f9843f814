import { INVALID_SPAN_CONTEXT, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { expect } from 'chai';
import { QueueingLogger } from '../src/signals/queueing-logger.js';

const resource = resourceFromAttributes({ 'service.name': 'queueing' });
const scope = { name: '@inferlens/express', version: '1.2.3' };
const spanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
};

function sinks(count: number): { pushed: ReadableLogRecord[][]; sinks: { push(record: ReadableLogRecord): void }[] } {
  const pushed = Array.from({ length: count }, () => [] as ReadableLogRecord[]);
  return { pushed, sinks: pushed.map((records) => ({ push: (record: ReadableLogRecord) => records.push(record) })) };
}

describe('QueueingLogger', () => {
  it('hands every sink one read-only record with the span context, resource, scope and fields', () => {
    const { pushed, sinks: targets } = sinks(2);
    const logger = new QueueingLogger(resource, scope, targets);
    const before = Date.now();
    logger.emit({
      timestamp: 1_700_000_000_123,
      context: trace.setSpanContext(ROOT_CONTEXT, spanContext),
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      body: '{"error":"bad input"}',
      attributes: { 'inference.request.id': 'r-1' },
    });
    expect(pushed[0]).to.have.lengthOf(1);
    expect(pushed[1][0]).to.equal(pushed[0][0]);
    const [record] = pushed[0];
    expect(hrTimeToMilliseconds(record.hrTime)).to.equal(1_700_000_000_123);
    expect(hrTimeToMilliseconds(record.hrTimeObserved)).to.be.at.least(before);
    expect(record.spanContext).to.deep.equal(spanContext);
    expect(record).to.include({
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      body: '{"error":"bad input"}',
    });
    expect(record.attributes).to.deep.equal({ 'inference.request.id': 'r-1' });
    expect(record.resource).to.equal(resource);
    expect(record.instrumentationScope).to.deep.equal(scope);
    expect(record.droppedAttributesCount).to.equal(0);
  });

  it('stamps a record without a timestamp with the time it was emitted, and leaves out an invalid span context', () => {
    const { pushed, sinks: targets } = sinks(1);
    const before = Date.now();
    new QueueingLogger(resource, scope, targets).emit({
      context: trace.setSpanContext(ROOT_CONTEXT, INVALID_SPAN_CONTEXT),
      body: 'x',
    });
    const [record] = pushed[0];
    expect(hrTimeToMilliseconds(record.hrTime)).to.be.within(before, Date.now());
    expect(record.spanContext).to.equal(undefined);
    expect(record.attributes).to.deep.equal({});
  });

  it('is disabled without sinks, and emitting then does nothing', () => {
    const logger = new QueueingLogger(resource, scope, []);
    expect(logger.enabled()).to.equal(false);
    expect(() => logger.emit({ body: 'x' })).to.not.throw();
    expect(new QueueingLogger(resource, scope, sinks(1).sinks).enabled()).to.equal(true);
  });
});
