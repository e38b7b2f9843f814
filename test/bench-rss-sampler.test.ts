import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { sampleRss } from '../bench/rss-sampler.js';
import type { RunningTarget } from '../bench/target-process.js';
import { stubTarget } from './support/bench-rounds.js';

const INTERVAL_MS = 5;
const RSS_BYTES = 1024;

/** A target whose process can be made to vanish, as one killed for its memory would. */
function vanishingTarget(): { target: RunningTarget; vanish: () => void } {
  let gone = false;
  return {
    target: stubTarget({
      name: 'app',
      rssBytes: () => {
        if (gone) throw new Error('ENOENT: no such file or directory, open /proc/1234/status');
        return RSS_BYTES;
      },
    }),
    vanish: () => {
      gone = true;
    },
  };
}

describe('bench RSS sampler', () => {
  it('samples from the start until it is stopped', async () => {
    const { target } = vanishingTarget();
    expect(sampleRss(target, INTERVAL_MS).stop(), 'stopped at once').to.deep.equal([RSS_BYTES]);
    const sampler = sampleRss(target, INTERVAL_MS);
    await sleep(INTERVAL_MS * 4);
    const samples = sampler.stop();
    const taken = samples.length;
    expect(taken).to.be.greaterThan(1);
    expect(samples.every((bytes) => bytes === RSS_BYTES)).to.equal(true);
    await sleep(INTERVAL_MS * 4);
    expect(samples, 'samples taken after stop()').to.have.lengthOf(taken);
  });

  it('fails the run when the target vanishes, rather than the process that samples it', async () => {
    const { target, vanish } = vanishingTarget();
    const sampler = sampleRss(target, INTERVAL_MS);
    vanish();
    await sleep(INTERVAL_MS * 4);
    expect(() => sampler.stop()).to.throw(/app exited during the run/);
  });
});
