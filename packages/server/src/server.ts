import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import type { TelemetryDestinations } from '@inferlens/express';
import { expressServerOptions, inferenceTelemetry } from '@inferlens/express';
import { createApp } from './app.js';
import { directRoutes } from './http/direct-routes.js';
import { InFlightRequests } from './http/in-flight.js';
import { inferHandler, predictHandler } from './protocols/handlers.js';
import { embeddingsHandler } from './protocols/openai-embeddings.js';
import { silentLogger } from './logger.js';
import type { ServerOptions } from './options.js';
import {
  DEFAULT_HOST,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  MAX_BODY_BYTES,
  MAX_SHUTDOWN_TIMEOUT_MS,
  MIN_TELEMETRY_FLUSH_MS,
} from './options.js';
import { ModelRepository } from './repository/model-repository.js';
import { settledWithin } from './settled-within.js';

/** A listening server. */
export interface InferenceServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  readonly repository: ModelRepository;
  /** Settles once every model has finished loading (failed models included). */
  readonly loaded: Promise<void>;
  /** Where the predict calls' telemetry goes; undefined when it is off. */
  readonly telemetry: TelemetryDestinations | undefined;
  /** The Prometheus scrape URL once it listens; undefined when there is none (see the middleware's `prometheusUrl`). */
  readonly prometheusUrl: Promise<string | undefined>;
  /**
   * Stops accepting connections, reports not ready, lets in-flight requests
   * finish (past the shutdown timeout, cuts them off, their calls still
   * recorded, as cut off by the server), releases the models, then flushes
   * the telemetry: all within the shutdown timeout, the flush given at
   * least `MIN_TELEMETRY_FLUSH_MS`.
   */
  close(): Promise<void>;
}

/**
 * Starts listening at once, so liveness answers while models load; the
 * server reports ready when loading has finished.
 */
export async function startServer(options: ServerOptions): Promise<InferenceServer> {
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  checkRange('shutdownTimeoutMs', shutdownTimeoutMs, 0, MAX_SHUTDOWN_TIMEOUT_MS);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  checkRange('maxBodyBytes', maxBodyBytes, 1, MAX_BODY_BYTES);
  await checkRepositoryFolder(options.modelRepository);
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? DEFAULT_HOST;
  const telemetry = options.telemetry === false ? undefined : inferenceTelemetry(options.telemetry ?? {});
  const files = telemetry?.destinations.files;
  if (files !== undefined && !(await canHoldFolder(files))) {
    await telemetry?.shutdown();
    throw new Error(`the monitoring folder '${files}' is a file, or under one: no telemetry could be written there`);
  }
  const repository = new ModelRepository(options.modelRepository, {
    logger,
    sessionOptions: options.sessionOptions ?? {},
  });
  let draining = false;
  const app = createApp({ repository, logger, maxBodyBytes, isReady: () => repository.loaded && !draining, telemetry });
  const handlers = { repository, maxBodyBytes, logger };
  const direct = directRoutes({
    predict: predictHandler(handlers),
    infer: inferHandler(handlers),
    embeddings: embeddingsHandler(handlers),
    telemetry,
  });

  const inFlight = new InFlightRequests();
  // The app's prototypes from the start: Express's own change of them on every call costs more than the call (see expressServerOptions).
  const server: Server = createServer(expressServerOptions(app), (req, res) => {
    inFlight.admit(res);
    if (!direct(req, res)) app(req, res);
  });
  server.listen(options.port ?? DEFAULT_PORT, host);
  // After the handler, whose telemetry listens for the response's close first: the call is recorded once it counts as ended.
  server.on('request', (_req, res) => inFlight.track(res));
  try {
    await once(server, 'listening');
  } catch (error) {
    // Nothing was served: the providers are stopped so that their timers and sockets do not outlive the failure.
    await telemetry?.shutdown();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const loaded = repository.load();
  loaded.catch((error: unknown) => logger.error(`the model repository could not be read: ${(error as Error).message}`));

  const close = async (): Promise<void> => {
    const deadline = Date.now() + shutdownTimeoutMs;
    draining = true;
    inFlight.drain();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await settledWithin(inFlight.whenIdle(), shutdownTimeoutMs);
    // Keep-alive connections stay open after their last answer; past the timeout, the calls still in flight are cut off,
    // and recorded as the server's doing.
    inFlight.cutOff();
    server.closeAllConnections();
    // A connection cut off ends its call on a later turn than the server's own close: waited for, so that the call's
    // records are queued before the flush, which would otherwise ignore them.
    await inFlight.whenIdle();
    await closed;
    try {
      // A load under way stops after the version it is on, which gets what is left of the timeout: creating a session
      // cannot be cut short, and nothing the shutdown does needs it.
      await repository.close(Math.max(deadline - Date.now(), 0));
    } finally {
      // Last, so the records of the calls that were still in flight are exported too; in what is left of
      // the timeout, since a collector that is down could otherwise hold the exit for an export timeout per batch.
      const left = Math.max(deadline - Date.now(), MIN_TELEMETRY_FLUSH_MS);
      if (telemetry !== undefined && !(await settledWithin(telemetry.shutdown(), left))) {
        // The exporters' own failure reports may come only after their timeout, after the exit: said here, at least.
        logger.warn(
          `the telemetry flush did not finish within ${left} ms: what was still queued or being exported is lost`,
        );
      }
    }
  };

  return {
    url: `http://${displayHost(host)}:${port}`,
    port,
    repository,
    loaded,
    telemetry: telemetry?.destinations,
    prometheusUrl: telemetry?.prometheusUrl ?? Promise.resolve(undefined),
    close,
  };
}

/** Throws a RangeError naming the option unless `value` is an integer from `min` to `max`. */
function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/** A wildcard address is reached on loopback; IPv6 literals go in brackets. */
function displayHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Whether `path` is a folder or one can be made there: the sink makes its
 * folder on the first write, so a missing one is fine, but under a file
 * every write would fail, one warning for the whole run.
 */
async function canHoldFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    (error: NodeJS.ErrnoException) => error.code !== 'ENOTDIR',
  );
}

async function checkRepositoryFolder(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`the model repository '${path}' is not a folder`);
}
