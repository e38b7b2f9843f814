import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pinning } from './pinning.js';
import { SERVER_CORE, onCore } from './pinning.js';
import type { GcTotals } from './targets/gc-report.js';
import { GC_TOTALS_REQUEST } from './targets/gc-report.js';
import { environmentWithoutTelemetrySettings } from '../test/support/cli.js';

/** How long a server may take to answer its readiness URL (Python servers import a lot). */
const READY_TIMEOUT_MS = 90_000;
const READY_POLL_MS = 200;
/** How long a server has to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;
/** Output kept per server, for error messages. */
const OUTPUT_TAIL_CHARS = 4000;
const BYTES_PER_KIB = 1024;
/** How long a server has to answer {@link GC_TOTALS_REQUEST}. */
const GC_TOTALS_TIMEOUT_MS = 5_000;
/**
 * Where utime is among the fields of /proc/<pid>/stat that follow the
 * command name (state is the first of them); stime comes next. See proc(5).
 */
const UTIME_AFTER_COMMAND = 11;

/** A server under test, as a command line. */
export interface TargetSpec {
  /** Shown in the table. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Added to this process's environment, which goes without its INFERLENS_* and OTEL_* settings. */
  readonly env?: Readonly<Record<string, string>>;
  /** Answers 200 once the server can take load. */
  readonly readyUrl: string;
  /**
   * Started with an IPC channel, on which it answers its garbage collections
   * (it calls `reportGcTotals` of targets/gc-report.ts). @default false
   */
  readonly reportsGc?: boolean;
}

/** A started server, on the server core. */
export interface RunningTarget {
  readonly name: string;
  /** Resident memory now, from /proc. */
  rssBytes(): number;
  /**
   * CPU time it has used so far, in seconds, from /proc: every thread of
   * it, the thread pool's and the garbage collector's helpers included.
   */
  cpuSeconds(): number;
  /** Its garbage collections so far; only for a server started with `reportsGc`. */
  readonly gcTotals?: () => Promise<GcTotals>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Signals that end a run from outside (a terminal, a CI timeout): each still ends it, servers included. */
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Servers started and not yet exited. */
const running = new Set<ChildProcess>();
let endingHooked = false;

/**
 * Ends `child` with this process however it ends: a scenario stops its
 * servers itself, but a signal or a crash skips that, and would leave them
 * running on the server core, holding their ports, under the next run.
 */
function endWithThisProcess(child: ChildProcess): void {
  if (!endingHooked) {
    endingHooked = true;
    process.on('exit', () => {
      for (const server of running) server.kill('SIGKILL');
    });
    // A signal's default action ends the process without 'exit': exit instead, with the signal's usual status.
    for (const signal of ENDING_SIGNALS) process.once(signal, () => process.exit(128 + constants.signals[signal]));
  }
  running.add(child);
  child.once('exit', () => running.delete(child));
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) * BYTES_PER_KIB;
}

let ticksPerSecond: number | undefined;

/** The unit of /proc's CPU times, once asked of the system (`getconf CLK_TCK`). */
function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return ticksPerSecond;
}

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name is in parentheses and may hold spaces or parentheses of its own: the fields start after the last.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[UTIME_AFTER_COMMAND]) + Number(fields[UTIME_AFTER_COMMAND + 1]);
  if (!Number.isFinite(ticks)) throw new Error(`no CPU times in /proc/${pid}/stat`);
  return ticks / clockTicksPerSecond();
}

async function waitReady(spec: TargetSpec, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${spec.name} exited before it was ready:\n${output()}`);
    }
    const status = await fetch(spec.readyUrl).then(
      (response) => response.status,
      () => undefined,
    );
    if (status === 200) return;
    await sleep(READY_POLL_MS);
  }
  throw new Error(`${spec.name} was not ready at ${spec.readyUrl} within the timeout:\n${output()}`);
}

/** Asks `child` for its collections so far over its IPC channel. */
async function askGcTotals(child: ChildProcess, name: string): Promise<GcTotals> {
  const answer = new Promise<GcTotals>((resolve, reject) => {
    const answered = (totals: unknown): void => {
      clearTimeout(timer);
      resolve(totals as GcTotals);
    };
    const timer = setTimeout(() => {
      child.off('message', answered);
      reject(new Error(`${name} did not report its garbage collections within ${GC_TOTALS_TIMEOUT_MS} ms`));
    }, GC_TOTALS_TIMEOUT_MS);
    child.once('message', answered);
  });
  child.send(GC_TOTALS_REQUEST);
  return answer;
}

/** Starts a server on the server core and waits until its readiness URL answers 200. */
export async function startTarget(spec: TargetSpec, pinning: Pinning): Promise<RunningTarget> {
  const { command, args } = onCore(pinning, SERVER_CORE, spec.command, spec.args);
  const child = spawn(command, args, {
    env: { ...environmentWithoutTelemetrySettings(), ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe', spec.reportsGc === true ? 'ipc' : 'ignore'],
  });
  endWithThisProcess(child);
  let tail = '';
  const keep = (chunk: string): void => {
    tail = (tail + chunk).slice(-OUTPUT_TAIL_CHARS);
  };
  // Both are pipes, as spawned above: the fourth descriptor takes them out of spawn's typed forms.
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(killTimer);
    }
  };
  try {
    await waitReady(spec, child, () => tail);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name: spec.name,
    rssBytes: () => rssOf(child.pid!),
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    gcTotals: spec.reportsGc === true ? () => askGcTotals(child, spec.name) : undefined,
    stop,
  };
}
