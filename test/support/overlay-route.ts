/**
 * What the collector tests send their calls through: the built collector
 * with base.yaml and one shipped overlay, and `inferlens serve` exporting
 * to it over OTLP (metrics every second, no files).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { CliProcess } from './cli.js';
import { SERVE_DEMO_MODELS, SERVING_BANNER, startCli } from './cli.js';
import type { CollectorProcess } from './collector.js';
import { COLLECTOR_CONFIG_DIR, NO_SELF_METRICS_OVERLAY, freeCollectorPorts, startCollector } from './collector.js';
import { post } from './http.js';
import { IRIS_V1_BODY, IRIS_V2_BAD_SHAPE } from './iris-calls.js';

export interface OverlayRoute {
  /** The server's base URL. */
  readonly url: string;
  /** Stops the server, then the collector, and removes the collector's storage. */
  stop(): Promise<void>;
}

/**
 * Starts the collector with `overlays/<overlay>` (its `${env:...}` references
 * from `env`) and `inferlens serve` sending to it, with `cliEnv` added to the
 * server's environment.
 */
export async function startOverlayRoute(
  overlay: string,
  env: Readonly<Record<string, string>>,
  cliEnv: Readonly<Record<string, string>> = {},
): Promise<OverlayRoute> {
  const dir = await mkdtemp(join(tmpdir(), 'inferlens-route-'));
  let collector: CollectorProcess | undefined;
  let cli: CliProcess | undefined;
  const stop = async (): Promise<void> => {
    cli?.kill();
    await cli?.exited.catch(() => undefined);
    await collector?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    collector = await startCollector({
      overlays: [join(COLLECTOR_CONFIG_DIR, 'overlays', overlay), NO_SELF_METRICS_OVERLAY],
      ports: await freeCollectorPorts(),
      storageDir: join(dir, 'storage'),
      env,
    });
    cli = startCli([...SERVE_DEMO_MODELS, '--file-sink', 'off', '--otlp-endpoint', collector.otlpHttpUrl], {
      INFERLENS_TELEMETRY: 'on',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      ...cliEnv,
    });
    const [, url] = await cli.waitForOutput(SERVING_BANNER);
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Sends a successful V1 predict call for each of `okIds`, then a V2 infer call iris refuses (400) as `badId`. */
export async function sendIrisCalls(url: string, okIds: readonly string[], badId: string): Promise<void> {
  const headers = { 'content-type': 'application/json' };
  for (const id of okIds) {
    const ok = await post(`${url}/v1/models/iris:predict`, IRIS_V1_BODY, { ...headers, 'x-request-id': id });
    expect(ok.status, id).to.equal(200);
  }
  const bad = await post(`${url}/v2/models/iris/infer`, IRIS_V2_BAD_SHAPE, { ...headers, 'x-request-id': badId });
  expect(bad.status, badId).to.equal(400);
}
