/**
 * The Express apps of the middleware, large-payload and export scenarios:
 * the project's app with one middleware variant, as measureApps starts it.
 */
import { join } from 'node:path';
import type { AppSpec, TelemetrySink } from './measure-apps.js';
import type { MiddlewareVariant } from './targets/middleware-variants.js';
import { DEMO_MODELS, expressApp } from './targets/servers.js';

/** One Express app of a scenario. */
export interface ExpressAppSpec {
  /** Shown in the table. */
  readonly name: string;
  readonly variant: MiddlewareVariant;
  /** How the OTLP variants compress their exports. @default 'gzip' */
  readonly compression?: 'gzip' | 'none';
  /** Served by `http.createServer(expressServerOptions(app), app)` rather than `app.listen`. @default false */
  readonly serverOptions?: boolean;
}

/** Where each variant's telemetry goes: the OTLP ones to a receiver of their own, pino-http to a log file. */
const SINKS: Readonly<Record<MiddlewareVariant, TelemetrySink>> = {
  bare: 'none',
  floor: 'none',
  inferlens: 'otlp',
  otel: 'otlp',
  pino: 'files',
};

/** pino-http's log file, in the directory measureApps makes for it. */
const PINO_LOG_FILE = 'pino.log';

/**
 * The apps as measureApps starts them, each serving `modelRepository`.
 * @param modelRepository @default the demo models
 */
export function expressApps(apps: readonly ExpressAppSpec[], modelRepository: string = DEMO_MODELS): AppSpec[] {
  return apps.map((app) => ({
    name: app.name,
    sink: SINKS[app.variant],
    target: ({ port, otlpEndpoint, telemetryDir }) =>
      expressApp(app.name, {
        variant: app.variant,
        port,
        modelRepository,
        otlpEndpoint,
        compression: app.compression,
        serverOptions: app.serverOptions,
        logFile: telemetryDir === undefined ? undefined : join(telemetryDir, PINO_LOG_FILE),
      }),
  }));
}
