/** `inferlens serve`'s telemetry flags as the middleware options they give, and the banner line that says where telemetry goes. */
import { Command } from 'commander';
import { expect } from 'chai';
import type { TelemetryFlags } from '../src/cli-telemetry.js';
import { addTelemetryOptions, describeTelemetry, telemetryOptions } from '../src/cli-telemetry.js';

function parse(args: string[]): TelemetryFlags {
  return addTelemetryOptions(new Command().exitOverride()).parse(args, { from: 'user' }).opts<TelemetryFlags>();
}

describe('telemetry flags', () => {
  it('summarises embedding vectors unless --embedding-vectors full', () => {
    expect(telemetryOptions(parse([]))).to.include({ embeddingVectors: 'summary' });
    expect(telemetryOptions(parse(['--embedding-vectors', 'full']))).to.include({ embeddingVectors: 'full' });
  });

  it("serves the metrics for Prometheus at the server's address with --prometheus-port, and not without it", () => {
    expect(telemetryOptions(parse(['--prometheus-port', '9464']), '0.0.0.0')).to.deep.include({
      prometheus: { port: 9464, host: '0.0.0.0' },
    });
    expect(telemetryOptions(parse([]), '0.0.0.0')).to.not.have.property('prometheus');
  });

  it('refuses another --embedding-vectors value', () => {
    const command = addTelemetryOptions(new Command().exitOverride().configureOutput({ writeErr: () => undefined }));
    expect(() => command.parse(['--embedding-vectors', 'some'], { from: 'user' })).to.throw(
      /Allowed choices are summary, full/,
    );
  });
});

describe('telemetry flag values', () => {
  const refuse = (args: string[]): void => {
    const command = addTelemetryOptions(new Command().exitOverride().configureOutput({ writeErr: () => undefined }));
    expect(() => command.parse(args, { from: 'user' }), args.join(' ')).to.throw(/is invalid/);
  };

  it('refuses a --payload-sample-rate that is blank or not a decimal number, rather than reading it as 0', () => {
    for (const rate of ['', ' ', '0x1', '1e-1', '-0']) refuse(['--payload-sample-rate', rate]);
    expect(parse(['--payload-sample-rate', '.5']).payloadSampleRate).to.equal(0.5);
    expect(parse(['--payload-sample-rate', '1.']).payloadSampleRate).to.equal(1);
    expect(parse(['--payload-sample-rate', ' 0.25 ']).payloadSampleRate).to.equal(0.25);
  });

  it('refuses a --prometheus-port that is no port', () => {
    for (const port of ['', '65536', '-1', '0x10', 'http']) refuse(['--prometheus-port', port]);
    expect(parse(['--prometheus-port', '0']).prometheusPort).to.equal(0);
  });

  it('refuses a blank --monitoring-dir, which would put the files in the working folder itself', () => {
    refuse(['--monitoring-dir', '']);
    refuse(['--monitoring-dir', ' ']);
  });
});

describe('the banner line', () => {
  it('names each OTLP URL once and the files to tail, from what the middleware resolved', () => {
    const base = 'http://collector:4318';
    const line = describeTelemetry({
      providers: 'own',
      otlp: { logs: `${base}/v1/logs`, traces: `${base}/v1/logs`, metrics: `${base}/v1/metrics` },
      files: '/var/monitoring',
    });
    expect(line).to.equal(
      `telemetry: OTLP/HTTP to ${base}/v1/logs, ${base}/v1/metrics; ` +
        'JSON lines: tail -f /var/monitoring/inference_payloads/data/*.log',
    );
  });

  it('names the Prometheus endpoint once it listens', () => {
    expect(describeTelemetry({ providers: 'own', otlp: {} }, 'http://127.0.0.1:9464/metrics')).to.equal(
      'telemetry: Prometheus metrics: http://127.0.0.1:9464/metrics',
    );
  });

  it('says when telemetry is off, exported nowhere, or left to the application', () => {
    expect(describeTelemetry(undefined)).to.equal('telemetry: off');
    expect(describeTelemetry({ providers: 'own', otlp: {} })).to.match(/exported nowhere/);
    expect(describeTelemetry({ providers: 'global', otlp: {} })).to.match(/application's OpenTelemetry providers/);
  });
});
