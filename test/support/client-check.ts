import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Logger } from '../../packages/server/src/index.js';
import { DEMO_REPOSITORY, serveRepository } from './server.js';

/**
 * Runs the Python client checks in test/clients/ against a server started
 * here. The interpreter comes from INFERLENS_CLIENTS_PYTHON, or the
 * .venv-clients/ that scripts/ci/python-clients.sh creates. Without one that
 * imports the client a check is skipped, except in CI (CI=true), where it fails.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const defaultPython = fileURLToPath(new URL('../../.venv-clients/bin/python', import.meta.url));
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

export interface ClientCheck {
  /**
   * Runs a check script with the client's interpreter, `argument(serverUrl)`
   * its one argument, fails with its output and the server's log when it
   * exits non-zero, and returns the JSON summary it printed last.
   */
  run(script: string, argument: (serverUrl: string) => string): Promise<unknown>;
}

/** A running server the checks talk to. */
export interface CheckedServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the demo models (models/ at the repository root). */
function serveDemoModels(logger: Logger): Promise<CheckedServer> {
  return serveRepository(DEMO_REPOSITORY, { logger });
}

/**
 * Hooks of the enclosing describe: find an interpreter that imports `module`
 * (or skip), start a server with `serve` (the demo models by default), and
 * close it after.
 */
export function serveForClient(
  module: string,
  serve: (logger: Logger) => Promise<CheckedServer> = serveDemoModels,
): ClientCheck {
  let python: string;
  let server: CheckedServer | undefined;
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
    server = await serve({ info: log('info'), warn: log('warn'), error: log('error') });
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
