import { expect } from 'chai';
import { loadResultOf } from '../bench/load-result.js';

describe('bench load result', () => {
  it('counts only 2xx answers in the requests per second, so a server answering errors fast does not look fast', () => {
    const result = loadResultOf({
      latenciesMs: Float64Array.of(2, 1, 3),
      requests: 1000,
      seconds: 2,
      errors: 5,
      non2xx: 997,
    });
    expect(result.requestsPerSecond).to.equal(1.5);
    expect(result.requests, 'answers of any status, as the telemetry they caused').to.equal(1000);
    expect(result.non2xx).to.equal(997);
  });

  it('takes the percentiles of the 2xx latencies by nearest rank', () => {
    const latencies = Float64Array.from({ length: 200 }, (_, i) => 200 - i);
    const result = loadResultOf({ latenciesMs: latencies, requests: 200, seconds: 1, errors: 0, non2xx: 0 });
    expect(result.p50Ms).to.equal(100);
    expect(result.p99Ms).to.equal(198);
  });

  it("takes the open loop's send lag p99 by nearest rank, and has none for a closed loop", () => {
    const counted = { latenciesMs: Float64Array.of(1), requests: 1, seconds: 1, errors: 0, non2xx: 0 };
    const sendLagsMs = Float64Array.from({ length: 200 }, (_, i) => i / 10);
    expect(loadResultOf({ ...counted, sendLagsMs }).sendLagP99Ms).to.equal(19.7);
    expect(loadResultOf(counted).sendLagP99Ms).to.equal(undefined);
  });

  it('has no percentiles without a 2xx answer', () => {
    const result = loadResultOf({ latenciesMs: new Float64Array(0), requests: 4, seconds: 1, errors: 0, non2xx: 4 });
    expect(result.p50Ms).to.be.NaN;
    expect(result.p99Ms).to.be.NaN;
    expect(result.requestsPerSecond).to.equal(0);
  });
});
