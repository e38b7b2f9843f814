import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Pinning } from './pinning.js';
import { LOAD_CORE, onCore } from './pinning.js';

const WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

/** One load run: what to send, for how long, over how many connections. */
export interface LoadSpec {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /**
   * Requests per second on a fixed schedule (open loop, see open-loop.ts);
   * without it, each connection sends its next request when an answer
   * comes back, as fast as the server goes.
   */
  readonly ratePerSecond?: number;
}

/** What one load run measured. */
export interface LoadResult {
  /** Responses received (any status). */
  readonly requests: number;
  /** How long the run lasted; for an open loop, how long its schedule took (not the wait for the last answers). */
  readonly seconds: number;
  /** 2xx answers per second; the other answers count as failures. */
  readonly requestsPerSecond: number;
  /** Median latency of successful responses, in milliseconds. */
  readonly p50Ms: number;
  /** 99th percentile latency of successful responses, in milliseconds. */
  readonly p99Ms: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  /** Responses with a status outside 2xx. */
  readonly non2xx: number;
  /**
   * Open loop only: the 99th percentile of how late requests left against
   * their schedule, in milliseconds. Up to about 1 ms is the grain of the
   * generator's timer; more means it fell behind (its own pauses, or a core
   * it did not get), and the load it offered came in bursts.
   */
  readonly sendLagP99Ms?: number;
}

/** What is sent, without how long or how hard. */
export type LoadRequest = Omit<LoadSpec, 'connections' | 'durationSeconds' | 'ratePerSecond'>;

/** A JSON POST, as every scenario sends it. */
export function jsonRequest(url: string, body: unknown): LoadRequest {
  return { url, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** Runs the load generator (autocannon, or the open loop given a rate) in a child process on the load core and returns what it measured. */
export function runLoad(spec: LoadSpec, pinning: Pinning): Promise<LoadResult> {
  const { command, args } = onCore(pinning, LOAD_CORE, process.execPath, ['--import', 'tsx', WORKER]);
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(JSON.stringify(spec));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      // JSON has no NaN: a run without a successful response has null percentiles.
      if (code === 0) resolve(JSON.parse(stdout, (_key, value: unknown) => value ?? Number.NaN) as LoadResult);
      else reject(new Error(`the load generator exited with ${code}: ${stderr.trim()}`));
    });
  });
}
