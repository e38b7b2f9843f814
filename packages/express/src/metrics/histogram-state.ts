import type { HrTime } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';

/**
 * One explicit-bucket histogram data point being accumulated, with the SDK's
 * bucket rule: a value falls in the first bucket whose upper bound is at
 * least the value, and above the last bound in the overflow bucket.
 */
export class HistogramState {
  readonly startTime: HrTime;
  readonly #boundaries: readonly number[];
  readonly #counts: number[];
  #sum = 0;
  #count = 0;
  #min = Infinity;
  #max = -Infinity;

  constructor(boundaries: readonly number[], startTime: HrTime) {
    this.#boundaries = boundaries;
    this.#counts = new Array<number>(boundaries.length + 1).fill(0);
    this.startTime = startTime;
  }

  /** Adds `value`; NaN is ignored, as the SDK does. */
  record(value: number): void {
    if (Number.isNaN(value)) return;
    const boundaries = this.#boundaries;
    let bucket = 0;
    while (bucket < boundaries.length && value > boundaries[bucket]) bucket++;
    this.#counts[bucket]++;
    this.#sum += value;
    this.#count++;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /**
   * A copy of what was accumulated, as the SDK's exporters read it. With no
   * value yet (only NaNs) there is no min or max, as in the SDK, rather than
   * the infinities they start from.
   */
  value(): Histogram {
    const measured = this.#count > 0;
    return {
      buckets: { boundaries: [...this.#boundaries], counts: [...this.#counts] },
      sum: this.#sum,
      count: this.#count,
      min: measured ? this.#min : undefined,
      max: measured ? this.#max : undefined,
    };
  }
}
