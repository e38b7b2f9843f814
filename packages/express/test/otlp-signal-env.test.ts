import { expect } from 'chai';
import type { OtlpReceiver, ReceivedRequest } from '../../../test/support/otlp-receiver.js';
import { useOtlpReceiver } from '../../../test/support/use-otlp-receiver.js';
import { useEnvironment } from './environment.js';
import { useRecordedWarnings, useServers } from './in-memory-telemetry.js';
import { exportOneCall } from './one-call.js';

/** The first export of one signal the receiver got. */
function exportOf(receiver: OtlpReceiver, signal: ReceivedRequest['signal']): ReceivedRequest {
  const request = receiver.requests().find((received) => received.signal === signal);
  if (request === undefined) throw new Error(`no ${signal} export: ${receiver.describe()}`);
  return request;
}

describe('per-signal OTLP variables (own providers, over the wire)', () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ per: 'test' });

  useEnvironment(() => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url,
    OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=generic,x-team=ml',
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=traces',
    OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none',
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json',
  }));

  it("lets a signal's variables win over the generic ones, merging headers key by key", async () => {
    await exportOneCall(servers, {});
    const traces = exportOf(receiver(), 'traces');
    expect(traces.headers).to.include({ 'x-tenant': 'traces', 'x-team': 'ml' });
    expect(traces.contentEncoding).to.equal(undefined);
    expect(traces.contentType).to.equal('application/x-protobuf');

    const logs = exportOf(receiver(), 'logs');
    expect(logs.headers).to.include({ 'x-tenant': 'generic', 'x-team': 'ml' });
    expect(logs.contentEncoding).to.equal('gzip');
    expect(logs.contentType).to.equal('application/json');

    const metrics = exportOf(receiver(), 'metrics');
    expect(metrics.headers).to.include({ 'x-tenant': 'generic', 'x-team': 'ml' });
    expect(metrics.contentEncoding).to.equal('gzip');
    expect(metrics.contentType).to.equal('application/x-protobuf');
  });

  it('loses to options given in code, which apply to every signal', async () => {
    await exportOneCall(servers, {
      otlp: { headers: { 'x-tenant': 'code' }, compression: 'gzip', protocol: 'http/protobuf' },
    });
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      const request = exportOf(receiver(), signal);
      expect(request.headers, signal).to.include({ 'x-tenant': 'code', 'x-team': 'ml' });
      expect(request.contentEncoding, signal).to.equal('gzip');
      expect(request.contentType, signal).to.equal('application/x-protobuf');
    }
  });
});

describe('OTLP headers whose names differ in case only (own providers, over the wire)', () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ per: 'test' });

  useEnvironment(() => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url,
    // Two spellings in one variable; the signal's variable and the code below spell it as the first.
    OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=generic,X-Tenant=generic-again',
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=traces',
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json',
  }));

  it("are one header: a signal's variable wins over the generic one", async () => {
    await exportOneCall(servers, {});
    expect(exportOf(receiver(), 'traces').headers).to.include({ 'x-tenant': 'traces' });
    expect(exportOf(receiver(), 'metrics').headers).to.include({ 'x-tenant': 'generic-again' });
  });

  it('are one header: one given in code wins over every spelling in the variables, JSON and protobuf', async () => {
    await exportOneCall(servers, { otlp: { headers: { 'x-tenant': 'code' } } });
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      expect(exportOf(receiver(), signal).headers, signal).to.include({ 'x-tenant': 'code' });
    }
  });
});

describe('OTEL_{LOGS,TRACES,METRICS}_EXPORTER (own providers, over the wire)', () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ per: 'test' });

  useEnvironment(() => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url,
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: ' NONE ',
    OTEL_LOGS_EXPORTER: 'otlp',
  }));

  it('sends nothing over OTLP for a signal set to none, whatever endpoint applies', async () => {
    await exportOneCall(servers, { otlp: { endpoint: receiver().url } });
    const signals = new Set(
      receiver()
        .requests()
        .map((request) => request.signal),
    );
    expect([...signals]).to.deep.equal(['logs']);
  });
});

describe('OTEL_EXPORTER_OTLP_HEADERS entries that Node.js cannot send (own providers, over the wire)', () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ per: 'test' });
  const warnings = useRecordedWarnings();

  // `%0A` decodes to a line break. The SDK's exporters read this variable again on their own, beneath the headers
  // the middleware gives them, and send the entry: Node.js refuses it, so no export goes out.
  useEnvironment(() => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url,
    OTEL_EXPORTER_OTLP_HEADERS: 'x-broken=a%0Ab,x-team=ml',
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json',
  }));

  it('are reported as failing every export, as they do, never as skipped', async () => {
    await exportOneCall(servers, {});
    expect(receiver().requests()).to.deep.equal([]);
    const warning = warnings.messages.find((message) => message.startsWith('OTEL_EXPORTER_OTLP_HEADERS'));
    expect(warning).to.match(/entries 1 of 2 cannot be sent.*read this variable too.*fail/);
    expect(warning).to.not.include('skipped');
  });

  it('are reported as skipped when otlp.headers replaces them, spelled the same, and every export goes out', async () => {
    await exportOneCall(servers, { otlp: { headers: { 'x-broken': 'fixed' } } });
    const signals = new Set(
      receiver()
        .requests()
        .map((request) => request.signal),
    );
    expect([...signals].sort()).to.deep.equal(['logs', 'metrics', 'traces']);
    for (const request of receiver().requests())
      expect(request.headers).to.include({ 'x-broken': 'fixed', 'x-team': 'ml' });
    const warning = warnings.messages.find((message) => message.startsWith('OTEL_EXPORTER_OTLP_HEADERS'));
    expect(warning).to.include('entries 1 of 2 are skipped').and.not.include('fail');
  });

  it('still fail every export when otlp.headers spells the name otherwise: Node.js refuses the entry first', async () => {
    await exportOneCall(servers, { otlp: { headers: { 'X-Broken': 'fixed' } } });
    expect(receiver().requests()).to.deep.equal([]);
    const warning = warnings.messages.find((message) => message.startsWith('OTEL_EXPORTER_OTLP_HEADERS'));
    expect(warning).to.match(/entries 1 of 2 cannot be sent.*read this variable too.*fail/);
  });

  describe("replaced by every signal's own variable, spelled the same", () => {
    useEnvironment(() => ({
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-broken=logs',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-broken=traces',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-broken=metrics',
    }));

    it("are reported as skipped, and every export goes out with its signal's header", async () => {
      await exportOneCall(servers, {});
      const sent = receiver()
        .requests()
        .map((request) => [request.signal, request.headers['x-broken']] as const);
      expect(new Map(sent)).to.deep.equal(
        new Map([
          ['logs', 'logs'],
          ['traces', 'traces'],
          ['metrics', 'metrics'],
        ]),
      );
      const warning = warnings.messages.find((message) => message.startsWith('OTEL_EXPORTER_OTLP_HEADERS'));
      expect(warning).to.include('entries 1 of 2 are skipped').and.not.include('fail');
    });
  });

  describe("replaced by the logs' own variable only", () => {
    useEnvironment(() => ({ OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-broken=logs' }));

    it('are reported as failing the exports of the other signals, which fail, while the logs go out', async () => {
      await exportOneCall(servers, {});
      const signals = new Set(
        receiver()
          .requests()
          .map((request) => request.signal),
      );
      expect([...signals]).to.deep.equal(['logs']);
      const warning = warnings.messages.find((message) => message.startsWith('OTEL_EXPORTER_OTLP_HEADERS'));
      expect(warning).to.include('the OTLP exporters of traces and metrics read this variable too');
      expect(warning).to.include('their exports fail').and.not.include('skipped');
    });
  });
});
