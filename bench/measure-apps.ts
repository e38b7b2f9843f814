/**
 * The run the app scenarios share (middleware, large-payload, export,
 * telemetry-cost): every app a scenario declares starts on the server core
 * with a port and a place of its own for its telemetry (a counting receiver
 * on the load core, or a directory), and all are measured side by side with
 * the same request. The scenario only declares its apps and builds its table
 * from what comes back.
 */
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IRIS_V1_BODY, IRIS_V1_PATH } from './bodies.js';
import { cpuPerCallOf, withCpuRounds } from './cpu-rounds.js';
import type { GcFigures } from './gc-rounds.js';
import { gcFiguresOf, withGcRounds } from './gc-rounds.js';
import { jsonRequest } from './load.js';
import type { CountingReceiver } from './receiver.js';
import { startCountingReceiver } from './receiver.js';
import type { ScenarioContext } from './scenario.js';
import { withTargets } from './scenario.js';
import type { Measurement, Variant } from './side-by-side.js';
import { measureSideBySide, median } from './side-by-side.js';
import type { RunningTarget, TargetSpec } from './target-process.js';
import { freePort } from '../test/support/ports.js';

/** Where an app's telemetry goes: OTLP to a counting receiver of its own, files in a directory of its own, or nowhere. */
export type TelemetrySink = 'otlp' | 'files' | 'none';

/** What measureApps has made ready for an app before it starts. */
export interface AppPlace {
  /** The free port it is to listen on. */
  readonly port: number;
  /** Its receiver's base URL; only with the `'otlp'` sink. */
  readonly otlpEndpoint?: string;
  /** Its directory, which exists and is removed after the run; only with the `'files'` sink. */
  readonly telemetryDir?: string;
}

/** One app of a scenario. */
export interface AppSpec {
  /** Shown in the table. */
  readonly name: string;
  readonly sink: TelemetrySink;
  /** Its command line, given what was made ready for it. */
  target(place: AppPlace): TargetSpec;
}

/** The one request every app of a scenario is sent. */
interface AppRequest {
  readonly path: string;
  readonly body: unknown;
}

/** KServe V1 predict of iris, which the demo models answer. */
export const IRIS_V1_REQUEST: AppRequest = { path: IRIS_V1_PATH, body: IRIS_V1_BODY };

/** Rounds at one offered rate, for some of the apps, after the rounds at saturation. */
interface FixedRateRounds {
  /** The apps measured again, by name. */
  readonly apps: readonly string[];
  /** The rate each is offered, from the saturated figures of the same run (in the order of the apps). */
  rate(saturated: readonly Measurement[]): number;
}

interface MeasureAppsOptions {
  /** Decode every OTLP logs request to count its records, and note their rate per round; costs CPU on the load core. */
  readonly countLogRecords?: boolean;
  /** Then measures some apps again, at one rate on a fixed schedule (open loop), while they still run. */
  readonly fixedRate?: FixedRateRounds;
}

/** An app's figures, and what its telemetry amounted to once it had stopped and flushed. */
export interface MeasuredApp {
  readonly measurement: Measurement;
  /** Bytes of telemetry, warm-up included: on the wire to its receiver, or written to the files in its directory. */
  readonly telemetryBytes: number;
  /** Log records that arrived at its receiver; 0 without `countLogRecords`. */
  readonly logRecords: number;
  /** Median over the measured rounds of the log records that arrived during a round, per second; 0 without `countLogRecords`. */
  readonly logRecordsPerSecond: number;
  /** Its figures at `fixedRate`'s rate; only for the apps it names. */
  readonly atFixedRate?: Measurement;
  /** Its garbage collections in the measured rounds; only for an app that reports them (`reportsGc`). */
  readonly gc?: GcFigures;
  /** The same in the `fixedRate` rounds. */
  readonly gcAtFixedRate?: GcFigures;
  /** Microseconds of CPU its process spent per call answered in the measured rounds (median). */
  readonly cpuMicrosPerCall?: number;
  /** The same in the `fixedRate` rounds. */
  readonly cpuMicrosPerCallAtFixedRate?: number;
  /** Requests it answered over every round, fixed-rate ones included: what `telemetryBytes` covers. */
  readonly requestsSent: number;
}

/** An app before it starts: its command line, its load, and where its telemetry goes. */
interface PreparedApp {
  readonly spec: TargetSpec;
  readonly variant: Variant;
  readonly receiver?: CountingReceiver;
  readonly telemetryDir?: string;
  /** Log records that have arrived at its receiver so far. */
  logRecords(): number;
  /** Filled only when the variant counts log records per round. */
  readonly logRecordRates: readonly number[];
}

/** `variant`, also noting per measured round the log records that arrived during it, per second. */
function withLogRecordRates(variant: Variant, logRecords: () => number, rates: number[]): Variant {
  let before = 0;
  return {
    ...variant,
    beforeRound: () => {
      before = logRecords();
    },
    afterRound: (result) => {
      rates.push((logRecords() - before) / result.seconds);
    },
  };
}

async function prepareApp(
  app: AppSpec,
  request: AppRequest,
  runDir: string,
  options: MeasureAppsOptions,
): Promise<PreparedApp> {
  const port = await freePort();
  const receiver =
    app.sink === 'otlp' ? await startCountingReceiver({ countLogRecords: options.countLogRecords }) : undefined;
  const telemetryDir = app.sink === 'files' ? join(runDir, String(port)) : undefined;
  if (telemetryDir !== undefined) await mkdir(telemetryDir);
  const logRecords = (): number => receiver?.counts('logs').records ?? 0;
  const logRecordRates: number[] = [];
  const variant: Variant = {
    name: app.name,
    load: jsonRequest(`http://127.0.0.1:${port}${request.path}`, request.body),
  };
  return {
    spec: app.target({ port, otlpEndpoint: receiver?.url, telemetryDir }),
    variant: options.countLogRecords === true ? withLogRecordRates(variant, logRecords, logRecordRates) : variant,
    receiver,
    telemetryDir,
    logRecords,
    logRecordRates,
  };
}

/** Bytes of the files under `dir`, at any depth. */
async function bytesUnder(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true });
  const stats = await Promise.all(entries.map((entry) => stat(join(dir, entry))));
  return stats.reduce((total, entry) => total + (entry.isFile() ? entry.size : 0), 0);
}

async function telemetryBytes(app: PreparedApp): Promise<number> {
  if (app.receiver !== undefined) return app.receiver.totalWireBytes();
  if (app.telemetryDir !== undefined) return bytesUnder(app.telemetryDir);
  return 0;
}

/** An app's figures from one set of rounds: its measurement, its CPU time per call, and its collections where it reports them. */
interface MeasuredRounds {
  readonly measurement: Measurement;
  readonly gc?: GcFigures;
  readonly cpuMicrosPerCall?: number;
}

/**
 * Measures `variants` side by side (see measureSideBySide), each noting the
 * CPU time and the collections of its target (the same index in `targets`).
 */
async function measureWithProcessFigures(
  title: string,
  variants: readonly Variant[],
  targets: readonly RunningTarget[],
  context: ScenarioContext,
  ratePerSecond?: number,
): Promise<MeasuredRounds[]> {
  const gcRounds = variants.map((): GcFigures[] => []);
  const cpuRounds = variants.map((): number[] => []);
  const measured = await measureSideBySide(
    title,
    variants.map((variant, index) =>
      withCpuRounds(withGcRounds(variant, targets[index], gcRounds[index]), targets[index], cpuRounds[index]),
    ),
    context.settings,
    context.pinning,
    ratePerSecond,
  );
  return measured.map((measurement, index) => ({
    measurement,
    gc: gcFiguresOf(gcRounds[index]),
    cpuMicrosPerCall: cpuPerCallOf(cpuRounds[index]),
  }));
}

/** The `fixedRate` rounds, by app name; none without the option. The variants' own round hooks are left out: they note saturated rounds. */
async function measureAtFixedRate(
  scenario: string,
  variants: readonly Variant[],
  targets: readonly RunningTarget[],
  saturated: readonly Measurement[],
  context: ScenarioContext,
  options: MeasureAppsOptions,
): Promise<Map<string, MeasuredRounds>> {
  const fixedRate = options.fixedRate;
  if (fixedRate === undefined) return new Map();
  const rate = fixedRate.rate(saturated);
  const chosen = variants.flatMap((variant, index) =>
    fixedRate.apps.includes(variant.name)
      ? [{ variant: { name: variant.name, load: variant.load }, target: targets[index] }]
      : [],
  );
  const measured = await measureWithProcessFigures(
    `${scenario} at ${Math.round(rate)} req/s`,
    chosen.map(({ variant }) => variant),
    chosen.map(({ target }) => target),
    context,
    rate,
  );
  return new Map(measured.map((rounds) => [rounds.measurement.name, rounds]));
}

/** Starts the apps on the server core, measures them side by side, stops them, and says what each did, in the order of `apps`. */
export async function measureApps(
  scenario: string,
  apps: readonly AppSpec[],
  request: AppRequest,
  context: ScenarioContext,
  options: MeasureAppsOptions = {},
): Promise<MeasuredApp[]> {
  const runDir = await mkdtemp(join(tmpdir(), 'inferlens-bench-telemetry-'));
  const prepared: PreparedApp[] = [];
  try {
    for (const app of apps) prepared.push(await prepareApp(app, request, runDir, options));
    // Stopping the apps flushes their telemetry: the counts read afterwards are complete,
    // and what has not arrived by then was dropped.
    const { saturated, atFixedRate } = await withTargets(
      prepared.map((app) => app.spec),
      context,
      async (targets) => {
        const variants = prepared.map((app) => app.variant);
        const measured = await measureWithProcessFigures(scenario, variants, targets, context);
        const measurements = measured.map((rounds) => rounds.measurement);
        return {
          saturated: measured,
          atFixedRate: await measureAtFixedRate(scenario, variants, targets, measurements, context, options),
        };
      },
    );
    return await Promise.all(
      saturated.map(async ({ measurement, gc, cpuMicrosPerCall }, index) => {
        const fixed = atFixedRate.get(measurement.name);
        return {
          measurement,
          telemetryBytes: await telemetryBytes(prepared[index]),
          logRecords: prepared[index].logRecords(),
          logRecordsPerSecond: options.countLogRecords === true ? median(prepared[index].logRecordRates) : 0,
          atFixedRate: fixed?.measurement,
          gc,
          gcAtFixedRate: fixed?.gc,
          cpuMicrosPerCall,
          cpuMicrosPerCallAtFixedRate: fixed?.cpuMicrosPerCall,
          requestsSent: measurement.requestsSent + (fixed?.measurement.requestsSent ?? 0),
        };
      }),
    );
  } finally {
    await Promise.all(prepared.map(async (app) => app.receiver?.close()));
    await rm(runDir, { recursive: true, force: true });
  }
}
