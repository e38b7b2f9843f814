import { expect } from 'chai';
import { gcFiguresOf, withGcRounds } from '../bench/gc-rounds.js';
import type { GcFigures } from '../bench/gc-rounds.js';
import { startTarget } from '../bench/target-process.js';
import type { GcTotals } from '../bench/targets/gc-report.js';
import { notingVariant, roundOf, runRounds, stubTarget } from './support/bench-rounds.js';
import { freePort } from './support/ports.js';

const GC_REPORT = new URL('../bench/targets/gc-report.ts', import.meta.url).href;

/**
 * A server that reports its collections, and on `/full` runs as many full
 * collections as the query says (`gc()`, exposed by --expose-gc) before it answers.
 */
function collectingServer(port: number): string {
  return `
    const { reportGcTotals } = await import(${JSON.stringify(GC_REPORT)});
    reportGcTotals();
    const { createServer } = await import('node:http');
    createServer((req, res) => {
      const times = Number(new URL(req.url, 'http://x').searchParams.get('times') ?? 0);
      for (let i = 0; i < times; i++) globalThis.gc();
      res.end('ok');
    }).listen(${port}, '127.0.0.1');
  `;
}

describe('bench garbage collection rounds', () => {
  it('reads the collections a server ran, over its IPC channel', async () => {
    const port = await freePort();
    const target = await startTarget(
      {
        name: 'collecting server',
        command: process.execPath,
        args: ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', collectingServer(port)],
        readyUrl: `http://127.0.0.1:${port}/`,
        reportsGc: true,
      },
      { enabled: false, reason: 'a test' },
    );
    try {
      const before = await target.gcTotals!();
      await fetch(`http://127.0.0.1:${port}/full?times=3`);
      // The observer hears of a collection on the turn after it: a second request gives it that turn.
      await fetch(`http://127.0.0.1:${port}/`);
      const after = await target.gcTotals!();
      expect(after.markCompacts - before.markCompacts).to.be.at.least(3);
      expect(after.pauseMs).to.be.greaterThan(before.pauseMs);
    } finally {
      await target.stop();
    }
  });

  it('starts a server without reportsGc with no way to ask it', async () => {
    const port = await freePort();
    const target = await startTarget(
      {
        name: 'plain server',
        command: process.execPath,
        args: ['-e', `require('node:http').createServer((req, res) => res.end()).listen(${port}, '127.0.0.1')`],
        readyUrl: `http://127.0.0.1:${port}/`,
      },
      { enabled: false, reason: 'a test' },
    );
    await target.stop();
    expect(target.gcTotals).to.equal(undefined);
  });

  it('notes each round as collections per second of the round, and takes the medians', async () => {
    const totals: GcTotals[] = [
      { markCompacts: 1, scavenges: 10, pauseMs: 100 },
      { markCompacts: 3, scavenges: 30, pauseMs: 300 }, // round 1, 2 s: 1 MC/s, 10 scavenges/s, 10%
      { markCompacts: 3, scavenges: 30, pauseMs: 300 },
      { markCompacts: 3, scavenges: 70, pauseMs: 400 }, // round 2, 4 s: 0 MC/s, 10 scavenges/s, 2.5%
      { markCompacts: 3, scavenges: 70, pauseMs: 400 },
      { markCompacts: 9, scavenges: 130, pauseMs: 700 }, // round 3, 3 s: 2 MC/s, 20 scavenges/s, 10%
    ];
    const hooks: string[] = [];
    const rounds: GcFigures[] = [];
    const variant = withGcRounds(
      notingVariant(hooks, (result) => result.seconds),
      stubTarget({ gcTotals: () => Promise.resolve(totals.shift()!) }),
      rounds,
    );
    await runRounds(
      variant,
      [2, 4, 3].map((seconds) => roundOf({ seconds })),
    );
    expect(hooks, "the variant's own hooks").to.deep.equal([
      'before',
      'after 2',
      'before',
      'after 4',
      'before',
      'after 3',
    ]);
    expect(rounds).to.deep.equal([
      { markCompactsPerSecond: 1, scavengesPerSecond: 10, pauseShare: 0.1 },
      { markCompactsPerSecond: 0, scavengesPerSecond: 10, pauseShare: 0.025 },
      { markCompactsPerSecond: 2, scavengesPerSecond: 20, pauseShare: 0.1 },
    ]);
    expect(gcFiguresOf(rounds)).to.deep.equal({ markCompactsPerSecond: 1, scavengesPerSecond: 10, pauseShare: 0.1 });
    expect(gcFiguresOf([])).to.equal(undefined);
  });
});
