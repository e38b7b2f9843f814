/** How long and how hard each scenario measures; every field has a command-line flag. */
export interface BenchSettings {
  /** Seconds of load per variant per round. */
  readonly durationSeconds: number;
  /** Seconds of load per variant before the first round, not measured. */
  readonly warmupSeconds: number;
  /**
   * Alternating rounds per scenario (A, B, C, A, B, C, ...). Five by default:
   * single rounds swing 10–20% on a 2-core machine, and the median of three
   * still moved a target across its line between runs.
   */
  readonly rounds: number;
  /** Concurrent connections of the load generator. */
  readonly connections: number;
  /** Seconds of the memory run with the OTLP endpoint down. */
  readonly memoryDurationSeconds: number;
}

export const DEFAULT_SETTINGS: BenchSettings = {
  durationSeconds: 10,
  warmupSeconds: 3,
  rounds: 5,
  connections: 10,
  memoryDurationSeconds: 60,
};

/** The fewest rounds a median can be taken from without one round deciding it. */
export const MIN_ROUNDS = 3;
