/**
 * The collector built by `collector-config/build-collector.sh`, run as a child process on
 * loopback ports picked free for each test, with the repository's base config and one overlay.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './cli.js';
import { freePort } from './ports.js';
import type { ServiceProcess } from './service-process.js';
import { startService } from './service-process.js';

/** The binary `collector-config/build-collector.sh` builds. */
export const COLLECTOR_BINARY: string = join(REPOSITORY_ROOT, '.cache/collector/otelcol-inferlens');

/** The shipped configs. */
export const COLLECTOR_CONFIG_DIR: string = join(REPOSITORY_ROOT, 'collector-config');

/** The base config every overlay is merged onto. */
export const BASE_CONFIG: string = join(COLLECTOR_CONFIG_DIR, 'base.yaml');

/** Overlays used only by tests (test/collector). */
const TEST_OVERLAY_DIR: string = join(REPOSITORY_ROOT, 'test/collector');

/** Test overlay merged last onto every test collector: no internal metrics port to collide on. */
export const NO_SELF_METRICS_OVERLAY: string = join(TEST_OVERLAY_DIR, 'no-self-metrics.yaml');

/** Why collector tests cannot run here, or undefined when the binary exists. */
export function collectorSkipReason(): string | undefined {
  return existsSync(COLLECTOR_BINARY)
    ? undefined
    : 'no collector binary; build it with collector-config/build-collector.sh';
}

/** The loopback ports one collector listens on; kept across a restart so clients find it again. */
export interface CollectorPorts {
  readonly otlpHttp: number;
  readonly otlpGrpc: number;
  readonly health: number;
}

export async function freeCollectorPorts(): Promise<CollectorPorts> {
  return { otlpHttp: await freePort(), otlpGrpc: await freePort(), health: await freePort() };
}

export interface CollectorOptions {
  /** Overlay files merged onto {@link BASE_CONFIG}, in order. */
  readonly overlays: readonly string[];
  readonly ports: CollectorPorts;
  /** `file_storage` directory (the persistent exporter queues). */
  readonly storageDir: string;
  /** More environment variables for the configs' `${env:...}` references. */
  readonly env?: Readonly<Record<string, string>>;
}

/** A running collector. */
export interface CollectorProcess extends ServiceProcess {
  /** `http://127.0.0.1:<port>`: the OTLP/HTTP receiver's base URL. */
  readonly otlpHttpUrl: string;
}

/**
 * Starts the collector and resolves once its health check answers 200 (every
 * pipeline started); rejects with its output if it exits first.
 */
export async function startCollector(options: CollectorOptions): Promise<CollectorProcess> {
  const { ports } = options;
  const args = [BASE_CONFIG, ...options.overlays].flatMap((config) => ['--config', config]);
  const service = await startService('the collector', COLLECTOR_BINARY, args, `http://127.0.0.1:${ports.health}/`, {
    OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${ports.otlpHttp}`,
    OTELCOL_OTLP_GRPC_ENDPOINT: `127.0.0.1:${ports.otlpGrpc}`,
    OTELCOL_HEALTH_CHECK_ENDPOINT: `127.0.0.1:${ports.health}`,
    OTELCOL_STORAGE_DIR: options.storageDir,
    ...options.env,
  });
  return { ...service, otlpHttpUrl: `http://127.0.0.1:${ports.otlpHttp}` };
}
