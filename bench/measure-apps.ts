/**
 * The run the Express-app scenarios share (middleware, large-payload,
 * export): every app a scenario declares, the project's app with one
 * middleware variant, starts on the server core with a place of its own for
 * its telemetry (a counting receiver on the load core for the OTLP variants,
 * a file for pino), and all are measured side by side with the same request.
 * The scenario only declares its apps and builds its table from what comes back.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IRIS_V1_BODY, IRIS_V1_PATH } from './bodies.js';
import { jsonRequest } from './load.js';
import type { CountingReceiver } from './receiver.js';
import { startCountingReceiver } from './receiver.js';
import type { ScenarioContext } from './scenario.js';
import { withTargets } from './scenario.js';
import type { Measurement, Variant } from './side-by-side.js';
import { measureSideBySide, median } from './side-by-side.js';
import type { TargetSpec } from './target-process.js';
import type { MiddlewareVariant } from './targets/middleware-variants.js';
import { DEMO_MODELS, expressApp } from './targets/servers.js';
import { freePort } from '../test/support/ports.js';

/** One app of a scenario. */
export interface AppSpec {
  /** Shown in the table. */
  readonly name: string;
  readonly variant: MiddlewareVariant;
  /** How the OTLP variants compress their exports. @default 'gzip' */
  readonly compression?: 'gzip' | 'none';
}

/** The models every app of a scenario serves, and the one request each is sent. */
interface AppRequest {
  readonly modelRepository: string;
  readonly path: string;
  readonly body: unknown;
}

/** KServe V1 predict of iris on the demo models. */
export const IRIS_V1_REQUEST: AppRequest = { modelRepository: DEMO_MODELS, path: IRIS_V1_PATH, body: IRIS_V1_BODY };

interface MeasureAppsOptions {
  /** Decode every OTLP logs request to count its records; costs CPU on the load core. */
  readonly countLogRecords?: boolean;
}

/** An app's figures, and what its telemetry amounted to once it had stopped and flushed. */
export interface MeasuredApp {
  readonly measurement: Measurement;
  /** Bytes of telemetry, warm-up included: on the wire to its receiver, or written to its log file. */
  readonly telemetryBytes: number;
  /** Log records that arrived at its receiver; 0 without `countLogRecords`. */
  readonly logRecords: number;
  /** Median over the measured rounds of the log records that arrived during a round, per second; 0 without `countLogRecords`. */
  readonly logRecordsPerSecond: number;
}

/** The variants that export over OTLP, each to a receiver of its own. */
const OTLP_VARIANTS: ReadonlySet<MiddlewareVariant> = new Set(['inferlens', 'otel']);

/** An app before it starts: its command line, its load, and where its telemetry goes. */
interface PreparedApp {
  readonly spec: TargetSpec;
  readonly variant: Variant;
  readonly receiver?: CountingReceiver;
  readonly logFile?: string;
  /** Log records that have arrived at its receiver so far. */
  logRecords(): number;
  readonly logRecordRates: readonly number[];
}

async function prepareApp(
  app: AppSpec,
  request: AppRequest,
  logDir: string,
  options: MeasureAppsOptions,
): Promise<PreparedApp> {
  const port = await freePort();
  const receiver = OTLP_VARIANTS.has(app.variant)
    ? await startCountingReceiver({ countLogRecords: options.countLogRecords })
    : undefined;
  const logFile = app.variant === 'pino' ? join(logDir, `${port}.log`) : undefined;
  const logRecords = (): number => receiver?.counts('logs').records ?? 0;
  const logRecordRates: number[] = [];
  let before = 0;
  return {
    spec: expressApp(app.name, {
      variant: app.variant,
      port,
      modelRepository: request.modelRepository,
      otlpEndpoint: receiver?.url,
      compression: app.compression,
      logFile,
    }),
    variant: {
      name: app.name,
      load: jsonRequest(`http://127.0.0.1:${port}${request.path}`, request.body),
      beforeRound: () => {
        before = logRecords();
      },
      afterRound: (result) => {
        logRecordRates.push((logRecords() - before) / result.seconds);
      },
    },
    receiver,
    logFile,
    logRecords,
    logRecordRates,
  };
}

async function telemetryBytes(app: PreparedApp): Promise<number> {
  if (app.receiver !== undefined) return app.receiver.totalWireBytes();
  if (app.logFile !== undefined) return (await stat(app.logFile)).size;
  return 0;
}

/** Starts the apps on the server core, measures them side by side, stops them, and says what each did. */
export async function measureApps(
  scenario: string,
  apps: readonly AppSpec[],
  request: AppRequest,
  context: ScenarioContext,
  options: MeasureAppsOptions = {},
): Promise<MeasuredApp[]> {
  const logDir = await mkdtemp(join(tmpdir(), 'inferlens-bench-logs-'));
  const prepared: PreparedApp[] = [];
  try {
    for (const app of apps) prepared.push(await prepareApp(app, request, logDir, options));
    // Stopping the apps flushes their telemetry: the counts read afterwards are complete,
    // and what has not arrived by then was dropped.
    const measurements = await withTargets(
      prepared.map((app) => app.spec),
      context,
      () =>
        measureSideBySide(
          scenario,
          prepared.map((app) => app.variant),
          context.settings,
          context.pinning,
        ),
    );
    return await Promise.all(
      measurements.map(async (measurement, index) => ({
        measurement,
        telemetryBytes: await telemetryBytes(prepared[index]),
        logRecords: prepared[index].logRecords(),
        logRecordsPerSecond: median(prepared[index].logRecordRates),
      })),
    );
  } finally {
    await Promise.all(prepared.map(async (app) => app.receiver?.close()));
    await rm(logDir, { recursive: true, force: true });
  }
}
