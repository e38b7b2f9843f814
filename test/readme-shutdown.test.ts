/**
 * The first example of packages/express/README.md, run as an application:
 * on SIGTERM it stops, and the calls it answered reach the files.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPOSITORY_ROOT, environmentWithoutTelemetrySettings } from './support/cli.js';
import { readDoc } from './support/documented-table.js';

const LISTEN = '.listen(8080)';
const TSX_LOADER = join(REPOSITORY_ROOT, 'node_modules/tsx/dist/loader.mjs');

/** The README's first `ts` block, on a free port that it prints once it listens. */
function readmeApp(): string {
  const [, code] = /^```ts\n([\s\S]*?)^```/m.exec(readDoc('packages/express/README.md'))!;
  // Once: the replacement below must be the server's own call.
  expect(code.split(LISTEN)).to.have.length(2);
  return code.replace(
    LISTEN,
    ".listen(0, '127.0.0.1', () => console.log((server.address() as { port: number }).port))",
  );
}

describe('the README example of @inferlens/express', function () {
  this.timeout(60_000);
  let folder: string;
  let cwd: string;

  beforeEach(async () => {
    // Inside node_modules, so that its imports resolve as an application's would.
    folder = await mkdtemp(join(REPOSITORY_ROOT, 'node_modules', '.readme-shutdown-'));
    cwd = await mkdtemp(join(tmpdir(), 'inferlens-readme-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
    await rm(cwd, { recursive: true, force: true });
  });

  it('exits by itself on SIGTERM, and what it recorded reaches the files', async () => {
    const file = join(folder, 'app.ts');
    await writeFile(file, `${readmeApp()}\nexport {};\n`);
    // Node itself, not the tsx wrapper, so that the signal reaches the application and a kill leaves nothing behind.
    const child = spawn(process.execPath, ['--import', pathToFileURL(TSX_LOADER).href, file], {
      cwd,
      env: environmentWithoutTelemetrySettings(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      const port = await new Promise<string>((resolve) =>
        child.stdout.once('data', (chunk) => resolve(String(chunk).trim())),
      );
      const answer = await fetch(`http://127.0.0.1:${port}/v1/models/iris:predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'readme-1' },
        body: '{"instances": [[5.1, 3.5, 1.4, 0.2]]}',
      });
      expect(answer.status).to.equal(200);
      child.kill('SIGTERM');
      // An application that only flushed on SIGTERM would keep listening: no exit, whatever the wait.
      const exit = await Promise.race([
        exited,
        new Promise((resolve) => setTimeout(() => resolve('still running'), 15_000)),
      ]);
      expect(exit).to.deep.equal({ code: 0, signal: null });
      const lines = (await readFile(join(cwd, 'monitoring/inference_payloads/data/data.1.log'), 'utf8'))
        .trim()
        .split('\n');
      const types = lines.map((line) => (JSON.parse(line) as { attributes: Record<string, unknown> }).attributes);
      expect(types.map((attributes) => attributes['inference.request.id'])).to.deep.equal(['readme-1', 'readme-1']);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
