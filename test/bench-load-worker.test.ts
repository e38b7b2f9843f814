import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { LoadSpec } from '../bench/load.js';
import { jsonRequest, runLoad } from '../bench/load.js';
import { PROBE_FILE_VARIABLE } from './support/autocannon-probe.js';

const PROBE = fileURLToPath(new URL('./support/autocannon-probe.ts', import.meta.url));
const UNPINNED = { enabled: false, reason: 'a test' };

describe('bench load worker', () => {
  let server: Server;
  let spec: LoadSpec;
  let dir: string;

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.once('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    spec = { ...jsonRequest(`http://127.0.0.1:${port}/v1/models/m:predict`, {}), connections: 2, durationSeconds: 1 };
    dir = await mkdtemp(join(tmpdir(), 'inferlens-load-worker-'));
  });

  after(async () => {
    server.closeAllConnections();
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs `spec` as the bench does, with the probe preloaded into the worker; whether the worker loaded autocannon. */
  async function autocannonLoaded(run: LoadSpec): Promise<boolean> {
    const probeFile = join(dir, `probe-${run.ratePerSecond ?? 'closed'}`);
    const saved = { options: process.env.NODE_OPTIONS, file: process.env[PROBE_FILE_VARIABLE] };
    // NODE_OPTIONS' imports come before the command line's, so the probe, TypeScript, needs tsx there too.
    process.env.NODE_OPTIONS = `${saved.options ?? ''} --import tsx --import ${PROBE}`;
    process.env[PROBE_FILE_VARIABLE] = probeFile;
    try {
      const result = await runLoad(run, UNPINNED);
      // The run itself went as usual.
      expect(result.requests).to.be.greaterThan(0);
    } finally {
      restore('NODE_OPTIONS', saved.options);
      restore(PROBE_FILE_VARIABLE, saved.file);
    }
    return (await readFile(probeFile, 'utf8')) === 'true';
  }

  // Loaded and never called, autocannon grew the open loop's heap into mark-compacts that showed in its latencies.
  it('leaves autocannon unloaded in an open-loop run', async () => {
    expect(await autocannonLoaded({ ...spec, ratePerSecond: 100 })).to.equal(false);
  });

  it('loads autocannon for a closed-loop run', async () => {
    expect(await autocannonLoaded(spec)).to.equal(true);
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
