import { setTimeout as sleep } from 'node:timers/promises';

/** How long {@link pollUntil} asks, by default, before it gives up (well inside a test's own timeout). */
const DEFAULT_WAIT_LIMIT_MS = 30_000;

/** What to ask, how often, and how to say what was last answered when waiting fails. */
export interface Poll<T> {
  /** Asks once: reads a file, runs a query. */
  readonly ask: () => Promise<T>;
  /** Whether an answer is the one waited for; throwing counts as false, and its message goes into the failure. */
  readonly ready: (answer: T) => boolean;
  /** The failure message: what was waited for, given the last answer. */
  readonly describe: (answer: T) => string;
  readonly intervalMs: number;
  readonly limitMs?: number;
}

/**
 * Asks until an answer is ready and resolves with it; past the limit it
 * rejects with {@link Poll.describe} of the last answer (and why the last
 * check failed, when it threw).
 */
export async function pollUntil<T>(poll: Poll<T>): Promise<T> {
  const limitMs = poll.limitMs ?? DEFAULT_WAIT_LIMIT_MS;
  const deadline = Date.now() + limitMs;
  for (;;) {
    const answer = await poll.ask();
    let lastError: unknown;
    try {
      if (poll.ready(answer)) return answer;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `; last check: ${lastError.message}` : '';
      throw new Error(`${poll.describe(answer)} (waited ${limitMs} ms${why})`);
    }
    await sleep(poll.intervalMs);
  }
}
