import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InferenceTelemetryOptions } from '@inferlens/express';
import { inferenceTelemetry } from '@inferlens/express';
import { createApp, ModelRepository, silentLogger } from '../src/index.js';
import type { InferenceServer } from '../src/index.js';
import { DEMO_REPOSITORY, serveRepository } from '../../../test/support/server.js';

/** The two ways the demo repository is served, each with its own telemetry middleware. */
export interface DemoAppAndServer {
  /** The origin of `createApp`'s Express app, listening on its own: every call goes through Express. */
  appUrl(): string;
  /** The origin of `startServer`, which answers predict, infer and embeddings on its direct path. */
  serverUrl(): string;
}

/**
 * Serves the demo repository both ways for the enclosing `describe`, each on
 * a free loopback port with telemetry of these options, and stops both after
 * its last test.
 */
export function useDemoAppAndServer(telemetry: InferenceTelemetryOptions): DemoAppAndServer {
  let repository: ModelRepository;
  let app: Server;
  let appUrl: string;
  let server: InferenceServer;

  before(async () => {
    repository = new ModelRepository(DEMO_REPOSITORY, { logger: silentLogger, sessionOptions: {} });
    await repository.load();
    const express = createApp({
      repository,
      logger: silentLogger,
      maxBodyBytes: 1 << 20,
      isReady: () => true,
      telemetry: inferenceTelemetry(telemetry),
    });
    app = express.listen(0, '127.0.0.1');
    await new Promise((resolve) => app.once('listening', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    server = await serveRepository(DEMO_REPOSITORY, { telemetry });
  });

  after(async () => {
    await new Promise((resolve) => app.close(resolve));
    await repository.close();
    await server.close();
  });

  return { appUrl: () => appUrl, serverUrl: () => server.url };
}
