import type { RunningTarget } from './target-process.js';

/** Resident memory samples of a running target, taken from its start until `stop()`. */
export interface RssSampler {
  /**
   * Stops sampling and answers the samples, the first taken at the start.
   * Throws if the target vanished meanwhile (killed for its memory, or
   * crashed), as its run then has no figures to judge.
   */
  stop(): number[];
}

/** Samples `target`'s resident memory now and every `intervalMs` after. */
export function sampleRss(target: RunningTarget, intervalMs: number): RssSampler {
  const samples = [target.rssBytes()];
  let failure: Error | undefined;
  // A timer's throw would end the whole suite, not this scenario: it is kept for stop().
  const timer = setInterval(() => {
    try {
      samples.push(target.rssBytes());
    } catch (error) {
      failure = error as Error;
      clearInterval(timer);
    }
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      if (failure !== undefined) throw new Error(`${target.name} exited during the run: ${failure.message}`);
      return samples;
    },
  };
}
