import { execFileSync } from 'node:child_process';

/** The core the load generator, the OTLP receivers and this runner use. */
export const LOAD_CORE = 0;
/** The core every server under test runs on. */
export const SERVER_CORE = 1;

/** Whether processes can be pinned to cores, and if not, why. */
export interface Pinning {
  readonly enabled: boolean;
  /** Set when pinning is off: what was missing. */
  readonly reason?: string;
}

/**
 * Pins this process, all its threads included (`taskset -a`), to the load
 * core, so the receivers it runs stay off the server's core; children it
 * spawns inherit that. Without taskset (util-linux) or a second core, the
 * suite runs unpinned and says so.
 */
export function pinRunner(cpuCount: number): Pinning {
  if (cpuCount <= SERVER_CORE) return { enabled: false, reason: `only ${cpuCount} core(s): nothing to pin apart` };
  try {
    execFileSync('taskset', ['-a', '-cp', String(LOAD_CORE), String(process.pid)], { stdio: 'ignore' });
    return { enabled: true };
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { enabled: false, reason: missing ? 'taskset (util-linux) is not installed' : (error as Error).message };
  }
}

/** The command and arguments that run `command` on `core`, or as it is when pinning is off. */
export function onCore(
  pinning: Pinning,
  core: number,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  return pinning.enabled
    ? { command: 'taskset', args: ['-c', String(core), command, ...args] }
    : { command, args: [...args] };
}
