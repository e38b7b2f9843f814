import type { Context } from '@opentelemetry/api';
import { createContextKey, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { ContextWithSpan } from '../src/context-with-span.js';

const TENANT = createContextKey('test tenant');

describe('ContextWithSpan', () => {
  const span = new BasicTracerProvider().getTracer('test').startSpan('predict iris');
  const parent = ROOT_CONTEXT.setValue(TENANT, 'acme');
  after(() => span.end());

  it('is read by the API as the parent context with the span set', () => {
    const context = new ContextWithSpan(parent, span);
    expect(trace.getSpan(context)).to.equal(span);
    expect(trace.getSpanContext(context)).to.deep.equal(span.spanContext());
    expect(context.getValue(TENANT)).to.equal('acme');
  });

  it('gives its span without making the context: the parent is not asked for a context with it', () => {
    let made = 0;
    const counting: Context = {
      getValue: (key) => parent.getValue(key),
      setValue: (key, value) => (made++, parent.setValue(key, value)),
      deleteValue: (key) => (made++, parent.deleteValue(key)),
    };
    const context = new ContextWithSpan(counting, span);
    expect(trace.getSpanContext(context)).to.deep.equal(span.spanContext());
    expect(made).to.equal(0);
    expect(context.getValue(TENANT)).to.equal('acme');
    expect(made, 'made once another value is read').to.equal(1);
  });

  it('makes contexts that keep the span and the parent values when set or deleted from', () => {
    const context = new ContextWithSpan(parent, span);
    const other = createContextKey('test other');
    const set = context.setValue(other, 1);
    expect([trace.getSpan(set), set.getValue(TENANT), set.getValue(other)]).to.deep.equal([span, 'acme', 1]);
    expect(context.getValue(other), 'the context itself is unchanged').to.equal(undefined);
    const deleted = trace.deleteSpan(context);
    expect([trace.getSpan(deleted), deleted.getValue(TENANT)]).to.deep.equal([undefined, 'acme']);
  });

  it("gives an SDK logger's record the span's trace and span ids", () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    provider.getLogger('test').emit({ body: 'request', context: new ContextWithSpan(parent, span) });
    const [exported] = exporter.getFinishedLogRecords();
    expect(exported?.spanContext).to.deep.include({
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
    });
  });
});
