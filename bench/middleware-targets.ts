/**
 * The middleware scenario's targets, each judged on the figures it names:
 * throughput on the saturated rounds, p99 latency at the fixed load.
 */
import type { TargetCheck } from './scenario.js';
import type { Measurement } from './side-by-side.js';

/** Issue targets: inferlens keeps this share of bare throughput... */
const MIN_SHARE_OF_BARE = 0.95;
/** ...adds at most this much to bare p99 latency... */
const MAX_P99_INCREASE = 0.15;
/** ...and serves this many times auto-instrumentation's throughput. */
const MIN_TIMES_AUTO_INSTRUMENTATION = 1.5;

const PERCENT = 100;
/**
 * The open loop's send lag p99 past which a latency figure is flagged: its
 * timer's grain (about 1 ms) with as much again to spare. Past it the
 * generator fell behind and offered the load in bursts.
 */
const MAX_STEADY_SEND_LAG_MS = 2;

/** An app's figures as fast as it answers: its measurement, and its CPU time per call where that was measured. */
export interface SaturatedApp {
  readonly measurement: Measurement;
  readonly cpuMicrosPerCall?: number;
}

/**
 * `figure`, the throughput of `app` over `baseline`'s, followed by the
 * same ratio taken from their CPU time per call when both have one (the
 * baseline's over the app's): what each call costs, whether or not each
 * server had its core to itself.
 */
function withCpuRatio(
  figure: string,
  app: SaturatedApp,
  baseline: SaturatedApp,
  format: (ratio: number) => string,
): string {
  if (app.cpuMicrosPerCall === undefined || baseline.cpuMicrosPerCall === undefined) return figure;
  return `${figure} (by CPU per call: ${format(baseline.cpuMicrosPerCall / app.cpuMicrosPerCall)})`;
}

const share = (ratio: number): string => `${(ratio * PERCENT).toFixed(1)}%`;
const times = (ratio: number): string => `${ratio.toFixed(2)}×`;

/** How the apps were served, as a target names it: nothing for `app.listen`. */
function servedAs(served: string | undefined): string {
  return served === undefined ? '' : `, ${served}`;
}

/**
 * inferlens's throughput against the bare app's and auto-instrumentation's,
 * as fast as each answers. Each figure also gives the ratio of CPU time per
 * call when the apps have one; the targets are judged on throughput.
 * @param served how the three apps were served, named in each target when given
 */
export function throughputChecks(
  bare: SaturatedApp,
  inferlens: SaturatedApp,
  otel: SaturatedApp,
  served?: string,
): TargetCheck[] {
  const setting = servedAs(served);
  const rate = (app: SaturatedApp): number => app.measurement.requestsPerSecond;
  return [
    {
      target: `inferlens ≥ ${MIN_SHARE_OF_BARE * PERCENT}% of bare throughput${setting}`,
      figure: withCpuRatio(share(rate(inferlens) / rate(bare)), inferlens, bare, share),
      met: rate(inferlens) >= MIN_SHARE_OF_BARE * rate(bare),
    },
    {
      target: `inferlens ≥ ${MIN_TIMES_AUTO_INSTRUMENTATION}× auto-instrumentation throughput${setting}`,
      figure: withCpuRatio(times(rate(inferlens) / rate(otel)), inferlens, otel, times),
      met: rate(inferlens) >= MIN_TIMES_AUTO_INSTRUMENTATION * rate(otel),
    },
  ];
}

/**
 * inferlens's p99 latency against the bare app's, both offered the same fixed load.
 * @param served how the two apps were served, named in the target when given
 */
export function latencyCheck(bareAtRate: Measurement, inferlensAtRate: Measurement, served?: string): TargetCheck {
  const increase = (inferlensAtRate.p99Ms - bareAtRate.p99Ms) / bareAtRate.p99Ms;
  const setting = servedAs(served);
  const sendLag = Math.max(bareAtRate.sendLagP99Ms ?? 0, inferlensAtRate.sendLagP99Ms ?? 0);
  // Signed: an increase, not a share of bare like the throughput figure beside it.
  const figure = `${increase >= 0 ? '+' : ''}${(increase * PERCENT).toFixed(1)}%`;
  return {
    target: `inferlens p99 within +${MAX_P99_INCREASE * PERCENT}% of bare at the same load${setting}`,
    figure:
      sendLag > MAX_STEADY_SEND_LAG_MS
        ? `${figure} (the load generator fell behind: send lag p99 ${sendLag.toFixed(1)} ms)`
        : figure,
    met: inferlensAtRate.p99Ms <= (1 + MAX_P99_INCREASE) * bareAtRate.p99Ms,
  };
}
