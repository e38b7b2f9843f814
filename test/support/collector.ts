/**
 * The collector built by `collector-config/build-collector.sh`, run as a child process on
 * loopback ports picked free for each test, with the repository's base config and one overlay.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPOSITORY_ROOT } from './cli.js';

/** The binary `collector-config/build-collector.sh` builds. */
export const COLLECTOR_BINARY: string = join(REPOSITORY_ROOT, '.cache/collector/otelcol-inferlens');

/** The shipped configs. */
export const COLLECTOR_CONFIG_DIR: string = join(REPOSITORY_ROOT, 'collector-config');

/** The base config every overlay is merged onto. */
export const BASE_CONFIG: string = join(COLLECTOR_CONFIG_DIR, 'base.yaml');

/** How often the health check is asked while the collector starts. */
const HEALTH_POLL_INTERVAL_MS = 50;

/** Why collector tests cannot run here, or undefined when the binary exists. */
export function collectorSkipReason(): string | undefined {
  return existsSync(COLLECTOR_BINARY)
    ? undefined
    : 'no collector binary; build it with collector-config/build-collector.sh';
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the collector needs numbers up front, not port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
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
export interface CollectorProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>`: the OTLP/HTTP receiver's base URL. */
  readonly otlpHttpUrl: string;
  /** What it printed (it logs to stderr). */
  output(): string;
  /** SIGTERM (the collector drains its pipelines), then waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts the collector and resolves once its health check answers 200 (every
 * pipeline started); rejects with its output if it exits first.
 */
export async function startCollector(options: CollectorOptions): Promise<CollectorProcess> {
  const { ports } = options;
  const args = [BASE_CONFIG, ...options.overlays].flatMap((config) => ['--config', config]);
  const child = spawn(COLLECTOR_BINARY, args, {
    env: {
      PATH: process.env.PATH,
      OTELCOL_OTLP_HTTP_ENDPOINT: `127.0.0.1:${ports.otlpHttp}`,
      OTELCOL_OTLP_GRPC_ENDPOINT: `127.0.0.1:${ports.otlpGrpc}`,
      OTELCOL_HEALTH_CHECK_ENDPOINT: `127.0.0.1:${ports.health}`,
      OTELCOL_STORAGE_DIR: options.storageDir,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: string): void => {
    output += chunk;
  };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

  const collector: CollectorProcess = {
    child,
    otlpHttpUrl: `http://127.0.0.1:${ports.otlpHttp}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };

  const healthUrl = `http://127.0.0.1:${ports.health}/`;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the collector exited while starting:\n${output}`);
    }
    const healthy = await fetch(healthUrl).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status === 200;
      },
      () => false,
    );
    if (healthy) return collector;
    await sleep(HEALTH_POLL_INTERVAL_MS);
  }
}
