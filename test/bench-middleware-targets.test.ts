import { expect } from 'chai';
import { latencyCheck, throughputChecks } from '../bench/middleware-targets.js';
import type { SaturatedApp } from '../bench/middleware-targets.js';
import type { Measurement } from '../bench/side-by-side.js';

function measured(requestsPerSecond: number, p99Ms = 1): Measurement {
  return { name: 'app', requestsPerSecond, p50Ms: p99Ms / 2, p99Ms, requestsSent: 0, failures: 0 };
}

function saturated(requestsPerSecond: number, cpuMicrosPerCall?: number): SaturatedApp {
  return { measurement: measured(requestsPerSecond), cpuMicrosPerCall };
}

describe('bench middleware targets', () => {
  it('judges the p99 target on the increase over bare, and says it is one', () => {
    // The figures of the recorded run: 71.23 ms bare, 130.27 ms inferlens.
    const check = latencyCheck(measured(3845, 71.23), measured(3846, 130.27));
    expect(check.figure).to.equal('+82.9%');
    expect(check.met).to.equal(false);
  });

  it('meets the p99 target within +15% and below bare', () => {
    expect(latencyCheck(measured(1, 10), measured(1, 11.4)).met).to.equal(true);
    expect(latencyCheck(measured(1, 10), measured(1, 11.6)).met).to.equal(false);
    const faster = latencyCheck(measured(1, 10), measured(1, 9));
    expect([faster.figure, faster.met]).to.deep.equal(['-10.0%', true]);
  });

  it('flags a p99 figure taken while the load generator fell behind its schedule', () => {
    const steady = { ...measured(1, 10), sendLagP99Ms: 1.2 };
    const behind = { ...measured(1, 11), sendLagP99Ms: 14.3 };
    expect(latencyCheck(steady, { ...measured(1, 11), sendLagP99Ms: 1.1 }).figure).to.equal('+10.0%');
    const flagged = latencyCheck(steady, behind);
    expect(flagged.figure).to.equal('+10.0% (the load generator fell behind: send lag p99 14.3 ms)');
    expect(flagged.met, 'judged on the figures all the same').to.equal(true);
    expect(latencyCheck(behind, steady).figure).to.include('send lag p99 14.3 ms');
  });

  it('names how the apps were served in the p99 target, when told', () => {
    expect(latencyCheck(measured(1, 10), measured(1, 11)).target).to.equal(
      'inferlens p99 within +15% of bare at the same load',
    );
    expect(latencyCheck(measured(1, 10), measured(1, 11), 'served with expressServerOptions').target).to.equal(
      'inferlens p99 within +15% of bare at the same load, served with expressServerOptions',
    );
  });

  it('takes the throughput targets as shares of bare and of auto-instrumentation', () => {
    const [ofBare, ofOtel] = throughputChecks(saturated(1000), saturated(950), saturated(600));
    expect([ofBare.figure, ofBare.met]).to.deep.equal(['95.0%', true]);
    expect([ofOtel.figure, ofOtel.met]).to.deep.equal(['1.58×', true]);
    const [belowBare, belowOtel] = throughputChecks(saturated(1000), saturated(940), saturated(700));
    expect([belowBare.figure, belowBare.met]).to.deep.equal(['94.0%', false]);
    expect([belowOtel.figure, belowOtel.met]).to.deep.equal(['1.34×', false]);
  });

  it('gives each throughput figure by CPU per call too, when every app has one, and judges on throughput', () => {
    // A run whose load generator held the bare app back: its req/s understates it, its CPU per call does not.
    const [ofBare, ofOtel] = throughputChecks(saturated(1000, 100), saturated(960, 125), saturated(600, 200));
    expect([ofBare.figure, ofBare.met]).to.deep.equal(['96.0% (by CPU per call: 80.0%)', true]);
    expect([ofOtel.figure, ofOtel.met]).to.deep.equal(['1.60× (by CPU per call: 1.60×)', true]);
    const [withoutBare, withoutOtel] = throughputChecks(saturated(1000), saturated(960, 125), saturated(600, 200));
    expect(withoutBare.figure).to.equal('96.0%');
    expect(withoutOtel.figure).to.equal('1.60× (by CPU per call: 1.60×)');
  });

  it('names how the apps were served in each throughput target, when told', () => {
    const targets = (served?: string): string[] =>
      throughputChecks(saturated(1000), saturated(950), saturated(600), served).map((check) => check.target);
    expect(targets()).to.deep.equal([
      'inferlens ≥ 95% of bare throughput',
      'inferlens ≥ 1.5× auto-instrumentation throughput',
    ]);
    expect(targets('served with expressServerOptions')).to.deep.equal([
      'inferlens ≥ 95% of bare throughput, served with expressServerOptions',
      'inferlens ≥ 1.5× auto-instrumentation throughput, served with expressServerOptions',
    ]);
  });
});
