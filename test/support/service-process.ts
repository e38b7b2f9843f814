/**
 * A server binary (the collector, Prometheus) run as a child process for a
 * test: its output kept for error messages, started once a health URL
 * answers 200, stopped with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** How often the health URL is asked while the process starts. */
const HEALTH_POLL_INTERVAL_MS = 50;
/** How long a service may take to answer its health URL before starting counts as failed. */
const START_LIMIT_MS = 60_000;

export interface ServiceProcess {
  /** SIGTERM (both drain their work on it), then waits for the exit. */
  stop(): Promise<void>;
}

/** Whether `url` answers 200 now. */
async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Starts `binary` and resolves once `healthUrl` answers 200; rejects with its
 * output if it exits first. `env` is its whole environment besides PATH.
 */
export async function startService(
  name: string,
  binary: string,
  args: readonly string[],
  healthUrl: string,
  env: Readonly<Record<string, string>> = {},
): Promise<ServiceProcess> {
  const child = spawn(binary, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: string): void => {
    output += chunk;
  };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;

  const deadline = Date.now() + START_LIMIT_MS;
  while (!(await answers200(healthUrl))) {
    if (!running()) throw new Error(`${name} exited while starting:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer ${healthUrl} within ${START_LIMIT_MS} ms:\n${output}`);
    }
    await sleep(HEALTH_POLL_INTERVAL_MS);
  }
  return {
    stop: async () => {
      if (running()) child.kill('SIGTERM');
      await exited;
    },
  };
}
