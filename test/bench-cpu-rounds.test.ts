import { expect } from 'chai';
import { cpuPerCallOf, withCpuRounds } from '../bench/cpu-rounds.js';
import { startTarget } from '../bench/target-process.js';
import { notingVariant, roundOf, runRounds, stubTarget } from './support/bench-rounds.js';
import { freePort } from './support/ports.js';

/** CPU the server burns per request, on its main thread, in milliseconds. */
const BURN_MS = 60;
const REQUESTS = 4;

/**
 * A server that spends `BURN_MS` of CPU before each answer, by its own
 * account (`process.cpuUsage`), not the clock's: time it waits for a core
 * on a busy machine is not CPU time.
 */
function burningServer(port: number): string {
  return `
    require('node:http').createServer((req, res) => {
      const start = process.cpuUsage();
      for (let spent = process.cpuUsage(start); spent.user + spent.system < ${BURN_MS * 1000}; spent = process.cpuUsage(start));
      res.end('ok');
    }).listen(${port}, '127.0.0.1');
  `;
}

describe('bench CPU rounds', () => {
  it('reads the CPU time a server spent, from /proc', async () => {
    const port = await freePort();
    const target = await startTarget(
      {
        name: 'burning server',
        command: process.execPath,
        args: ['-e', burningServer(port)],
        readyUrl: `http://127.0.0.1:${port}/`,
      },
      { enabled: false, reason: 'a test' },
    );
    try {
      const before = target.cpuSeconds();
      for (let i = 0; i < REQUESTS; i++) await fetch(`http://127.0.0.1:${port}/`);
      const spent = target.cpuSeconds() - before;
      // The clock ticks of /proc are 10 ms: at least the burn, less one tick each side.
      expect(spent).to.be.at.least((REQUESTS * BURN_MS - 20) / 1000);
      expect(spent, 'in seconds, not clock ticks').to.be.below(1);
    } finally {
      await target.stop();
    }
  });

  it('notes each round as CPU microseconds per call answered, skips a round with none, and takes the median', async () => {
    const cpu = [1.0, 1.5, 2.0, 2.0, 2.0, 2.0, 2.0, 2.75];
    const hooks: string[] = [];
    const rounds: number[] = [];
    const variant = withCpuRounds(
      notingVariant(hooks, (result) => result.requests),
      stubTarget({ cpuSeconds: () => cpu.shift()! }),
      rounds,
    );
    // 0.5 s over 5,000 calls; 0 s over 10,000; a round with no call; 0.75 s over 3,000.
    await runRounds(
      variant,
      [5000, 10_000, 0, 3000].map((requests) => roundOf({ requests })),
    );
    expect(hooks, "the variant's own hooks").to.deep.equal([
      'before',
      'after 5000',
      'before',
      'after 10000',
      'before',
      'after 0',
      'before',
      'after 3000',
    ]);
    expect(rounds).to.deep.equal([100, 0, 250]);
    expect(cpuPerCallOf(rounds)).to.equal(100);
    expect(cpuPerCallOf([])).to.equal(undefined);
  });
});
