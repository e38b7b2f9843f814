/**
 * The garbage collections of a server under test, counted in its own
 * process and read by the runner over the IPC channel it starts the server
 * with (`reportsGc` in target-process.ts): once before and once after each
 * round, never during one. Latency at a fixed load moves with the machine
 * from round to round, but how many mark-compacts a server ran does not,
 * and a mark-compact is what stalls every request that arrives during it.
 */
import type { NodeGCPerformanceDetail, PerformanceEntry } from 'node:perf_hooks';
import { PerformanceObserver, constants } from 'node:perf_hooks';

/** What the runner sends to ask for the totals so far. */
export const GC_TOTALS_REQUEST = 'gc-totals';

/** Collections since the server started. */
export interface GcTotals {
  /** Full collections of the heap (V8's mark-compact), the ones that pause longest. */
  readonly markCompacts: number;
  /** Collections of the young generation only (V8's scavenge). */
  readonly scavenges: number;
  /** Time the main thread spent in collections of any kind, incremental marking steps included, in milliseconds. */
  readonly pauseMs: number;
}

/** Counts this process's collections from now on and answers {@link GC_TOTALS_REQUEST} on its IPC channel. */
export function reportGcTotals(): void {
  if (process.send === undefined)
    throw new Error('reportGcTotals needs an IPC channel: start the server with reportsGc');
  let markCompacts = 0;
  let scavenges = 0;
  let pauseMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // A 'gc' entry has a detail, which the entry's type leaves out.
      const { kind } = (entry as PerformanceEntry & { readonly detail: NodeGCPerformanceDetail }).detail;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) markCompacts++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
      pauseMs += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('message', (message) => {
    if (message === GC_TOTALS_REQUEST) process.send!({ markCompacts, scavenges, pauseMs } satisfies GcTotals);
  });
}
