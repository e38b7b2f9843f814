import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The monorepo root: the CLI runs there, so `--model-repository models` is the demo repository. */
export const REPOSITORY_ROOT: string = fileURLToPath(new URL('../../', import.meta.url));

const CLI_SOURCE = 'packages/server/src/cli.ts';

/**
 * This process's environment without INFERLENS_* and OTEL_* variables: a
 * child started with it is configured only by what it is given, not by
 * settings left in the shell.
 */
export function environmentWithoutTelemetrySettings(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('INFERLENS_') && !key.startsWith('OTEL_')) env[key] = value;
  }
  return env;
}

/** The clean environment with telemetry off (these tests are about serving; telemetry tests turn it on), plus `extra`. */
function cliEnvironment(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return { ...environmentWithoutTelemetrySettings(), INFERLENS_TELEMETRY: 'off', ...extra };
}

/** `inferlens serve` on the demo models in models/, on a free loopback port. */
export const SERVE_DEMO_MODELS: readonly string[] = [
  'serve',
  '--model-repository',
  'models',
  '--port',
  '0',
  '--host',
  '127.0.0.1',
];
/** The line `serve` prints once it listens; the group is its base URL. */
export const SERVING_BANNER = /serving \S+ on (http:\/\/\S+)/;

export interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running `inferlens` CLI, run from source with tsx. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first. */
  waitForOutput(pattern: RegExp): Promise<RegExpMatchArray>;
  readonly exited: Promise<CliExit>;
  /** Kills the process if it still runs (for cleanup). */
  kill(): void;
}

export function startCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_SOURCE, ...args], {
    cwd: REPOSITORY_ROOT,
    env: cliEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<CliExit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });

  const waitForOutput = (pattern: RegExp): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = stdout.match(pattern);
        if (match === null) return false;
        child.stdout.off('data', check);
        resolve(match);
        return true;
      };
      if (check()) return;
      child.stdout.on('data', check);
      exited.then(() => {
        if (!check())
          reject(new Error(`the CLI exited before printing ${pattern}; stdout: ${stdout}\nstderr: ${stderr}`));
      }, reject);
    });

  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForOutput,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Runs the CLI to its end. */
export async function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliExit & { stdout: string; stderr: string }> {
  const cli = startCli(args, env);
  const exit = await cli.exited;
  return { ...exit, stdout: cli.stdout(), stderr: cli.stderr() };
}
