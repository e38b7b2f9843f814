import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'chai';
import { freePort } from './support/ports.js';
import { pollUntil } from './support/poll.js';

const TARGET_PROCESS = new URL('../bench/target-process.ts', import.meta.url).href;
const POLL_MS = 50;

/** A server that answers its readiness URL with its own pid. */
const SERVER = `require('node:http').createServer((req, res) => res.end(String(process.pid))).listen(Number(process.argv[1]), '127.0.0.1')`;

/** A run of the suite, reduced to one started target; it prints the target's port and waits. */
function runner(port: number): ChildProcess {
  const script = `
    const { startTarget } = await import(${JSON.stringify(TARGET_PROCESS)});
    await startTarget({
      name: 'server',
      command: process.execPath,
      args: ['-e', ${JSON.stringify(SERVER)}, '${port}'],
      readyUrl: 'http://127.0.0.1:${port}/',
    }, { enabled: false });
    process.stdout.write('ready');
    setInterval(() => {}, 1000);
  `;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('bench target processes', () => {
  const pids: number[] = [];

  afterEach(() => {
    // A server left behind by a failing run is ended here, by its own pid.
    for (const pid of pids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops the servers it started when the run is ended by ${signal}`, async () => {
      const port = await freePort();
      const run = runner(port);
      await once(run.stdout!, 'data');
      const pid = Number(await (await fetch(`http://127.0.0.1:${port}/`)).text());
      pids.push(pid);
      expect(alive(pid), 'the server before the run ends').to.equal(true);
      run.kill(signal);
      await once(run, 'exit');
      await pollUntil({
        ask: () => Promise.resolve(alive(pid)),
        ready: (running) => !running,
        describe: () => `the server (pid ${pid}) still runs after the run ended`,
        intervalMs: POLL_MS,
        limitMs: 5_000,
      });
    });
  }
});
