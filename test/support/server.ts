import { fileURLToPath } from 'node:url';
import type { InferenceServer, ServerOptions } from '../../packages/server/src/index.js';
import { startServer } from '../../packages/server/src/index.js';
import type { ModelFolder } from './repository.js';
import { writeRepository } from './repository.js';

/** The demo model repository (`models/` at the repository root). */
export const DEMO_REPOSITORY: string = fileURLToPath(new URL('../../models/', import.meta.url));

/** Options of a test server: everything but the repository, port and host. */
export type TestServerOptions = Omit<ServerOptions, 'modelRepository' | 'port' | 'host'>;

/**
 * onnxruntime prints failures of `session.run` to stderr itself; tests that
 * make a model fail on purpose would print them. Only fatal errors are kept.
 */
const QUIET_SESSIONS = { logSeverityLevel: 4 } as const;

/** Starts a server on a free loopback port and waits until every model has finished loading. */
export async function serveRepository(
  modelRepository: string,
  options: TestServerOptions = {},
): Promise<InferenceServer> {
  const server = await startServer({
    sessionOptions: QUIET_SESSIONS,
    // Serving tests run without telemetry; the telemetry tests turn it on with their own receiver.
    telemetry: false,
    ...options,
    modelRepository,
    port: 0,
    host: '127.0.0.1',
  });
  try {
    await server.loaded;
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}

/** A server over a temporary repository; `close` stops it and deletes the repository. */
export interface TestServer {
  readonly url: string;
  readonly server: InferenceServer;
  close(): Promise<void>;
}

/** Writes the models to a temporary repository and serves it. */
export async function serveModels(
  models: readonly ModelFolder[],
  options: TestServerOptions = {},
): Promise<TestServer> {
  const repository = await writeRepository(models);
  let server: InferenceServer;
  try {
    server = await serveRepository(repository.path, options);
  } catch (error) {
    await repository.remove();
    throw error;
  }
  return {
    url: server.url,
    server,
    close: async () => {
      try {
        await server.close();
      } finally {
        await repository.remove();
      }
    },
  };
}
