import { inferenceTelemetry } from '../src/middleware.js';
import type { InferenceTelemetryOptions } from '../src/types.js';
import type { useServers } from './in-memory-telemetry.js';
import { IRIS_BODY, kserveApp, post } from './in-memory-telemetry.js';

/**
 * One V1 predict call through a middleware with its own providers, built
 * from `options` and the environment (no files unless asked for), flushed
 * and shut down, so that everything it recorded has been exported.
 */
export async function exportOneCall(
  servers: ReturnType<typeof useServers>,
  options: InferenceTelemetryOptions,
): Promise<void> {
  const telemetry = inferenceTelemetry({ fileSink: { enabled: false }, ...options });
  try {
    const url = await servers.start(kserveApp(telemetry));
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await telemetry.forceFlush();
  } finally {
    await telemetry.shutdown();
  }
}
