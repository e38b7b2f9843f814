import { constants } from 'node:buffer';
import type { InferenceTelemetryOptions } from '@inferlens/express';
import type * as ort from 'onnxruntime-node';
import type { Logger } from './logger.js';

/** Options of `startServer`; every one but the repository has a default. */
export interface ServerOptions {
  /** The model repository folder: `<repo>/<model>/<version>/model.onnx`. */
  modelRepository: string;
  /** Address to listen on. @default '0.0.0.0' */
  host?: string;
  /** Port to listen on; 0 picks a free one. @default 8080 */
  port?: number;
  /** The largest request body accepted, in bytes, up to {@link MAX_BODY_BYTES}. @default 67108864 (64 MiB) */
  maxBodyBytes?: number;
  /**
   * How long shutdown takes at most: in-flight requests are waited for
   * within it, then the telemetry is flushed in what is left (and at least
   * {@link MIN_TELEMETRY_FLUSH_MS}), up to {@link MAX_SHUTDOWN_TIMEOUT_MS}. @default 30000
   */
  shutdownTimeoutMs?: number;
  /** Where model loading and failures are reported. @default silent */
  logger?: Logger;
  /** Passed to every onnxruntime session. @default {} (onnxruntime's own defaults) */
  sessionOptions?: ort.InferenceSession.SessionOptions;
  /**
   * The predict-call telemetry (`@inferlens/express`), or false for none.
   * @default {} (the middleware's defaults: files under `monitoring/` unless an OTLP endpoint is set)
   */
  telemetry?: InferenceTelemetryOptions | false;
}

export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_PORT = 8080;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;
/**
 * The telemetry flush's time at shutdown when the timeout has run out: the
 * files are written and the collector gets one chance, even with a timeout
 * of 0 (no wait for requests).
 */
export const MIN_TELEMETRY_FLUSH_MS = 1000;

/** The largest body limit: a body is read into one Buffer, and none can be longer. */
export const MAX_BODY_BYTES = constants.MAX_LENGTH;
/** The longest shutdown timeout: a Node.js timer fires at once past 2^31 − 1 ms (about 24.8 days). */
export const MAX_SHUTDOWN_TIMEOUT_MS = 2_147_483_647;
