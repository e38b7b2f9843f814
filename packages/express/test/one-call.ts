import { inferenceTelemetry } from '../src/middleware.js';
import type { InferenceTelemetryOptions } from '../src/types.js';
import type { KserveAppOptions, useServers } from './in-memory-telemetry.js';
import { IRIS_BODY, kserveApp, post } from './in-memory-telemetry.js';

/** The call {@link exportOneCall} makes: to which model, and how the app answers it. */
export interface OneCall {
  /** @default 'iris' */
  readonly model?: string;
  readonly app?: KserveAppOptions;
}

/**
 * One V1 predict call through a middleware with its own providers, built
 * from `options` and the environment (no files unless asked for), flushed
 * and shut down, so that everything it recorded has been exported.
 */
export async function exportOneCall(
  servers: ReturnType<typeof useServers>,
  options: InferenceTelemetryOptions,
  call: OneCall = {},
): Promise<void> {
  const telemetry = inferenceTelemetry({ fileSink: { enabled: false }, ...options });
  try {
    const url = await servers.start(kserveApp(telemetry, call.app));
    await post(`${url}/v1/models/${encodeURIComponent(call.model ?? 'iris')}:predict`, IRIS_BODY);
    await telemetry.forceFlush();
  } finally {
    await telemetry.shutdown();
  }
}
