import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { InferenceServer } from '../packages/server/src/index.js';
import { startServer } from '../packages/server/src/index.js';

/**
 * Runs test/clients/tritonclient_check.py, which drives the server with an
 * official Open Inference client (tritonclient's HTTP client), against a
 * server started here. The interpreter comes from INFERLENS_CLIENTS_PYTHON, or
 * the .venv-clients/ that scripts/ci/python-clients.sh creates. Without one the
 * test is skipped, except in CI (CI=true), where it fails.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const checkScript = fileURLToPath(new URL('clients/tritonclient_check.py', import.meta.url));
const defaultPython = fileURLToPath(new URL('../.venv-clients/bin/python', import.meta.url));
const SETUP_HINT = 'run `bash scripts/ci/python-clients.sh` or set INFERLENS_CLIENTS_PYTHON';

interface Run {
  /** The exit code; null when the process could not start or was killed. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: Error;
}

function run(file: string, args: readonly string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: root, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) resolve({ code: 0, stdout, stderr });
      else resolve({ code: typeof error.code === 'number' ? error.code : null, stdout, stderr, error });
    });
  });
}

/** The interpreter to use, or why there is none that can import tritonclient. */
async function findClientPython(): Promise<{ python: string } | { reason: string }> {
  const configured = process.env['INFERLENS_CLIENTS_PYTHON'];
  const python = configured !== undefined && configured !== '' ? configured : defaultPython;
  if (python === defaultPython && !existsSync(python)) {
    return { reason: `no Python with tritonclient: ${defaultPython} does not exist (${SETUP_HINT})` };
  }
  const probe = await run(python, ['-c', 'import tritonclient.http'], 30_000);
  if (probe.code !== 0) {
    const why = probe.stderr.trim().split('\n').pop() || probe.error?.message || `exit code ${probe.code}`;
    return { reason: `${python} cannot import tritonclient.http: ${why} (${SETUP_HINT})` };
  }
  return { python };
}

interface Summary {
  ok: boolean;
  client: string;
  server: { name: string; version: string; extensions: string[] };
  model: { inputs: Record<string, [string, number[]]>; outputs: Record<string, [string, number[]]> };
  labels: number[];
  infers: string[];
  wrong_shape: string;
}

describe('official Open Inference client (tritonclient HTTP)', function () {
  this.timeout(120_000);
  let python: string;
  let server: InferenceServer | undefined;
  /** What the server logged; a 500 answers only 'internal server error', the cause is here. */
  const serverLog: string[] = [];

  before(async function () {
    const found = await findClientPython();
    if ('reason' in found) {
      if (process.env['CI'] === 'true') throw new Error(`CI must run the official client check, but ${found.reason}`);
      console.log(`      skipped: ${found.reason}`);
      this.skip();
    }
    python = found.python;
    const log = (level: string) => (message: string) => serverLog.push(`${level}: ${message}`);
    const logger = { info: log('info'), warn: log('warn'), error: log('error') };
    server = await startServer({ modelRepository: 'models', port: 0, host: '127.0.0.1', logger, telemetry: false });
    await server.loaded;
  });

  after(async () => {
    await server?.close();
  });

  it('reads metadata and runs inference with JSON and binary tensors', async () => {
    const address = new URL(server!.url).host;
    const result = await run(python, [checkScript, address], 90_000);
    const output = [
      `exit code ${result.code}`,
      `--- stdout\n${result.stdout}`,
      `--- stderr\n${result.stderr}`,
      `--- server log\n${serverLog.join('\n')}`,
    ].join('\n');
    expect(result.code, `tritonclient_check.py failed:\n${output}`).to.equal(0);

    const lastLine = result.stdout.trim().split('\n').pop() ?? '';
    const summary = JSON.parse(lastLine) as Summary;
    expect(summary.ok).to.equal(true);
    expect(summary.client).to.match(/^tritonclient \d+\.\d+/);
    expect(summary.server.name).to.equal('inferlens');
    expect(summary.server.extensions).to.include('binary_tensor_data');
    expect(summary.model).to.deep.equal({
      inputs: { input: ['FP32', [-1, 4]] },
      outputs: { label: ['INT64', [-1]], probabilities: ['FP32', [-1, 3]] },
    });
    expect(summary.labels).to.deep.equal([1, 1]);
    expect(summary.infers).to.deep.equal(['json', 'binary', 'mixed', 'classification']);
    expect(summary.wrong_shape).to.include("'input'");
  });
});
