#!/usr/bin/env node
import { constants } from 'node:os';
import { Command, Option } from 'commander';
import type { Logger } from './logger.js';
import {
  DEFAULT_HOST,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  MAX_BODY_BYTES,
  MAX_SHUTDOWN_TIMEOUT_MS,
} from './options.js';
import { startServer } from './server.js';
import type { InferenceServer } from './server.js';
import { bannerText } from './cli-banner.js';
import { integer, MAX_PORT, nonBlank } from './cli-values.js';
import type { TelemetryFlags } from './cli-telemetry.js';
import { addTelemetryOptions, describeTelemetry, telemetryOptions } from './cli-telemetry.js';
import { SERVER_VERSION } from './version.js';

/** The CLI prints to the terminal: info to stdout, problems to stderr. */
const terminalLogger: Logger = {
  info: (message) => console.log(`inferlens: ${message}`),
  warn: (message) => console.warn(`inferlens: warning: ${message}`),
  error: (message) => console.error(`inferlens: error: ${message}`),
};

interface ServeFlags extends TelemetryFlags {
  modelRepository: string;
  host: string;
  port: number;
  maxBodyBytes: number;
  shutdownTimeoutMs: number;
}

/**
 * Stops on SIGTERM or SIGINT: no new connections, in-flight requests finish, exit 0. A second signal is someone
 * who will not wait: the process exits at once, with the shell's code for that signal (128 + its number).
 */
function stopOnSignals(server: InferenceServer): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      terminalLogger.warn(`second ${signal}: exiting at once; calls in flight and telemetry still queued are lost`);
      process.exit(128 + constants.signals[signal]);
    }
    stopping = true;
    terminalLogger.info(`${signal} received: finishing in-flight requests`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        terminalLogger.error(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function serve(flags: ServeFlags): Promise<void> {
  const server = await startServer({
    modelRepository: flags.modelRepository,
    host: flags.host,
    port: flags.port,
    maxBodyBytes: flags.maxBodyBytes,
    shutdownTimeoutMs: flags.shutdownTimeoutMs,
    logger: terminalLogger,
    telemetry: telemetryOptions(flags, flags.host),
  });
  stopOnSignals(server);
  await server.loaded;
  console.log(bannerText(server, describeTelemetry(server.telemetry, await server.prometheusUrl)));
}

const program = new Command('inferlens')
  .description('ONNX inference server speaking KServe V1, Open Inference (V2) REST and OpenAI embeddings')
  .version(SERVER_VERSION);

const serveCommand = program
  .command('serve')
  .description('serve every model in a model repository folder')
  .addOption(
    new Option('--model-repository <dir>', 'model repository: <dir>/<model>/<version>/model.onnx')
      .env('INFERLENS_MODEL_REPOSITORY')
      .argParser(nonBlank)
      .makeOptionMandatory(),
  )
  .addOption(
    new Option('--host <host>', 'address to listen on').env('INFERLENS_HOST').argParser(nonBlank).default(DEFAULT_HOST),
  )
  .addOption(
    new Option('--port <port>', 'port to listen on (0 picks a free one)')
      .env('INFERLENS_PORT')
      .argParser(integer(0, MAX_PORT))
      .default(DEFAULT_PORT),
  )
  .addOption(
    new Option('--max-body-bytes <bytes>', 'largest request body accepted; larger ones get 413')
      .env('INFERLENS_MAX_BODY_BYTES')
      .argParser(integer(1, MAX_BODY_BYTES))
      .default(DEFAULT_MAX_BODY_BYTES),
  )
  .addOption(
    new Option(
      '--shutdown-timeout-ms <ms>',
      'how long shutdown may take: in-flight requests, then the telemetry flush (given 1 s at least)',
    )
      .env('INFERLENS_SHUTDOWN_TIMEOUT_MS')
      .argParser(integer(0, MAX_SHUTDOWN_TIMEOUT_MS))
      .default(DEFAULT_SHUTDOWN_TIMEOUT_MS),
  );
addTelemetryOptions(serveCommand).action(async (flags: ServeFlags) => {
  try {
    await serve(flags);
  } catch (error) {
    terminalLogger.error((error as Error).message);
    process.exit(1);
  }
});

/**
 * An empty `INFERLENS_*` variable counts as unset, as OpenTelemetry's
 * variables do: commander would otherwise read `''` as 0 (a random port, a
 * sample rate of 0) or as the working directory.
 */
function dropEmptyServerVariables(env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('INFERLENS_') && value?.trim() === '') delete env[name];
  }
}

dropEmptyServerVariables(process.env);
await program.parseAsync();
