/**
 * The memory scenario's target: resident memory stays flat at the queue
 * bound while the OTLP endpoint is down.
 */
import type { TargetCheck } from './scenario.js';

/**
 * "Flat": the peak of the outage's second half is at most this much above
 * the memory the load reached without it: the higher of the first half's
 * peak (the queues fill to their bound within a second) and the answering
 * run's peak. More means memory grows with the outage, not with the bound.
 * The answering run is there because the heap itself still grows for a
 * while under load: in some runs the first half's peak stays 20 MiB below
 * where both runs settle, and then an outage that holds its bound would
 * read as growth.
 */
const MAX_SECOND_HALF_GROWTH = 0.1;
const BYTES_PER_MIB = 1024 * 1024;
const PERCENT = 100;

/** Bytes as MiB, one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / BYTES_PER_MIB).toFixed(1)} MiB`;
}

/**
 * Whether memory stayed flat through the outage.
 * @param outage RSS samples of the run with the endpoint down, in order
 * @param answering RSS samples of the same load with the endpoint answering
 */
export function flatMemoryCheck(outage: readonly number[], answering: readonly number[]): TargetCheck {
  const half = Math.floor(outage.length / 2);
  const reached = Math.max(...outage.slice(0, half), ...answering);
  const secondPeak = Math.max(...outage.slice(half));
  const growth = (secondPeak - reached) / reached;
  return {
    target: `resident memory flat at the queue bound (second-half peak ≤ the higher of the first-half peak and the answering run's peak, + ${MAX_SECOND_HALF_GROWTH * PERCENT}%)`,
    figure: `${mib(reached)} → ${mib(secondPeak)} (${(growth * PERCENT).toFixed(1)}%)`,
    met: growth <= MAX_SECOND_HALF_GROWTH,
  };
}
