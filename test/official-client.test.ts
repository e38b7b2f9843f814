import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { InferenceServer } from '../packages/server/src/index.js';
import { startServer } from '../packages/server/src/index.js';

/**
 * Runs the official client checks in test/clients/ against a server started
 * here: tritonclient_check.py drives it with tritonclient's HTTP client (Open
 * Inference), kserve_check.py with the KServe SDK's InferenceRESTClient (KServe
 * V1 and V2). The interpreter comes from INFERLENS_CLIENTS_PYTHON, or the
 * .venv-clients/ that scripts/ci/python-clients.sh creates. Without one that
 * imports the client a check is skipped, except in CI (CI=true), where it fails.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const tritonclientCheck = fileURLToPath(new URL('clients/tritonclient_check.py', import.meta.url));
const kserveCheck = fileURLToPath(new URL('clients/kserve_check.py', import.meta.url));
const defaultPython = fileURLToPath(new URL('../.venv-clients/bin/python', import.meta.url));
const SETUP_HINT = 'run `bash scripts/ci/python-clients.sh` or set INFERLENS_CLIENTS_PYTHON';
const CHECK_TIMEOUT_MS = 90_000;

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

/** The interpreter to use, or why there is none that can import `module`. */
async function findClientPython(module: string): Promise<{ python: string } | { reason: string }> {
  const configured = process.env['INFERLENS_CLIENTS_PYTHON'];
  const python = configured !== undefined && configured !== '' ? configured : defaultPython;
  if (python === defaultPython && !existsSync(python)) {
    return { reason: `no Python with ${module}: ${defaultPython} does not exist (${SETUP_HINT})` };
  }
  const probe = await run(python, ['-c', `import ${module}`], 30_000);
  if (probe.code !== 0) {
    const why = probe.stderr.trim().split('\n').pop() || probe.error?.message || `exit code ${probe.code}`;
    return { reason: `${python} cannot import ${module}: ${why} (${SETUP_HINT})` };
  }
  return { python };
}

interface ClientCheck {
  /**
   * Runs a check script with the client's interpreter, `argument(serverUrl)`
   * its one argument, fails with its output and the server's log when it
   * exits non-zero, and returns the JSON summary it printed last.
   */
  run(script: string, argument: (serverUrl: string) => string): Promise<unknown>;
}

/**
 * Hooks of the enclosing describe: find an interpreter that imports `module`
 * (or skip), start the demo models' server, and close it after.
 */
function serveForClient(module: string): ClientCheck {
  let python: string;
  let server: InferenceServer | undefined;
  /** What the server logged; a 500 answers only 'internal server error', the cause is here. */
  const serverLog: string[] = [];

  before(async function () {
    const found = await findClientPython(module);
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

  return {
    async run(script, argument) {
      const result = await run(python, [script, argument(server!.url)], CHECK_TIMEOUT_MS);
      const output = [
        `exit code ${result.code}`,
        `--- stdout\n${result.stdout}`,
        `--- stderr\n${result.stderr}`,
        `--- server log\n${serverLog.join('\n')}`,
      ].join('\n');
      expect(result.code, `${basename(script)} failed:\n${output}`).to.equal(0);
      return JSON.parse(result.stdout.trim().split('\n').pop() ?? '');
    },
  };
}

/** The iris model's metadata, as both clients read it. */
const IRIS_METADATA = {
  inputs: { input: ['FP32', [-1, 4]] },
  outputs: { label: ['INT64', [-1]], probabilities: ['FP32', [-1, 3]] },
};

interface TritonclientSummary {
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
  const check = serveForClient('tritonclient.http');

  it('reads metadata and runs inference with JSON and binary tensors', async () => {
    // tritonclient takes host:port.
    const summary = (await check.run(tritonclientCheck, (url) => new URL(url).host)) as TritonclientSummary;
    expect(summary.ok).to.equal(true);
    expect(summary.client).to.match(/^tritonclient \d+\.\d+/);
    expect(summary.server.name).to.equal('inferlens');
    expect(summary.server.extensions).to.include('binary_tensor_data');
    expect(summary.model).to.deep.equal(IRIS_METADATA);
    expect(summary.labels).to.deep.equal([1, 1]);
    expect(summary.infers).to.deep.equal(['json', 'binary', 'mixed', 'classification']);
    expect(summary.wrong_shape).to.include("'input'");
  });
});

interface KserveSummary {
  ok: boolean;
  client: string;
  models: Record<string, { inputs: Record<string, [string, number[]]>; outputs: Record<string, [string, number[]]> }>;
  v1_predictions: number[];
  v1_embedding_rows: number;
  v2_labels: number[];
  v2_embedding_shape: number[];
  v2_infers: string[];
  /** Each refused call: the status and message the SDK surfaced, which the check found equal to the server's. */
  errors: Record<string, [number, string]>;
}

describe('official KServe client (kserve SDK InferenceRESTClient)', function () {
  this.timeout(120_000);
  const check = serveForClient('kserve');

  it('checks health, predicts over V1, infers over V2 with its own types, and surfaces errors', async () => {
    const summary = (await check.run(kserveCheck, (url) => url)) as KserveSummary;
    expect(summary.ok).to.equal(true);
    expect(summary.client).to.match(/^kserve \d+\.\d+/);
    expect(summary.models).to.deep.equal({
      iris: IRIS_METADATA,
      'demo-embedding': { inputs: { text: ['BYTES', [-1]] }, outputs: { embedding: ['FP32', [-1, 32]] } },
    });
    expect(summary.v1_predictions).to.deep.equal([1, 1]);
    expect(summary.v1_embedding_rows).to.equal(2);
    expect(summary.v2_labels).to.deep.equal([1, 1]);
    expect(summary.v2_embedding_shape).to.deep.equal([2, 32]);
    expect(summary.v2_infers).to.deep.equal([
      'JSON in, JSON out',
      'JSON in, binary out',
      'binary in, JSON out',
      'binary in, binary out',
      'dict',
      'texts, JSON',
      'texts, binary',
    ]);
    const statuses = Object.fromEntries(Object.entries(summary.errors).map(([call, [status]]) => [call, status]));
    expect(statuses).to.deep.equal({
      v2_unknown_model: 404,
      v2_wrong_shape: 400,
      v1_unknown_model: 404,
      v1_model_ready_unknown: 404,
      v1_explain: 501,
    });
    for (const call of ['v2_unknown_model', 'v1_unknown_model', 'v1_model_ready_unknown']) {
      expect(summary.errors[call][1]).to.include("'no-such-model'");
    }
    expect(summary.errors['v2_wrong_shape'][1]).to.include("'input'");
    expect(summary.errors['v1_explain'][1]).to.include("model 'iris' has no explainer");
  });
});
