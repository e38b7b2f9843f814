/**
 * The servers under test, as command lines: inferlens's own (the Express
 * app with a middleware variant, `inferlens serve`) and the Python peers
 * that bench/peers/setup.sh installs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MiddlewareVariant } from './middleware-variants.js';
import type { TargetSpec } from '../target-process.js';
import { REPOSITORY_ROOT } from '../../test/support/cli.js';

/** The repository root: every path below is relative to it. */
export const DEMO_MODELS: string = join(REPOSITORY_ROOT, 'models');
const IRIS_ONNX: string = join(DEMO_MODELS, 'iris', '1', 'model.onnx');
/** Where the peers' environments live; bench/peers/setup.sh makes them. */
export const PEER_CACHE: string = join(REPOSITORY_ROOT, '.cache', 'bench');

const CLI = join(REPOSITORY_ROOT, 'packages', 'server', 'dist', 'cli.js');
const EXPRESS_APP = join(REPOSITORY_ROOT, 'bench', 'targets', 'express-app.ts');
const TRIVIAL = join(REPOSITORY_ROOT, 'bench', 'targets', 'trivial.ts');
const KSERVE_SCRIPT = join(REPOSITORY_ROOT, 'bench', 'peers', 'kserve_iris.py');
const KSERVE_VENV = join(PEER_CACHE, 'kserve-venv');
const MLSERVER_VENV = join(PEER_CACHE, 'mlserver-venv');
const MLSERVER_MODEL = join(PEER_CACHE, 'mlserver-iris');
/** The marker setup.sh writes once a venv has installed completely. */
const INSTALLED_MARKER = '.installed';

/**
 * V8 flags of every Node.js server here. `--no-memory-reducer`: about 17 s
 * after a server's load stops, V8's memory reducer shrinks its heap with
 * three mark-compacts of 5 to 16 ms each, on the server core, in the round
 * of whichever server is measured then (two rounds on, in a scenario of
 * four variants). It does nothing while a server is under load, which is
 * when each is measured.
 */
export const NODE_SERVER_FLAGS: readonly string[] = ['--no-memory-reducer'];

function base(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** The Open Inference readiness URL, which every server here answers. */
function readyUrl(port: number): string {
  return `${base(port)}/v2/health/ready`;
}

/** A model's own readiness: MLServer reports the server ready even when a model failed to load. */
function modelReadyUrl(port: number, model: string): string {
  return `${base(port)}/v2/models/${model}/ready`;
}

/** A model in a model repository, as `inferlens serve` is pointed at it. */
export interface ServedModel {
  readonly repository: string;
  readonly model: string;
}

/** The iris model of the demo repository, which every server compared serves. */
const DEMO_IRIS: ServedModel = { repository: DEMO_MODELS, model: 'iris' };

export interface ExpressAppOptions {
  readonly variant: MiddlewareVariant;
  readonly port: number;
  readonly modelRepository: string;
  readonly otlpEndpoint?: string;
  readonly compression?: 'gzip' | 'none';
  readonly logFile?: string;
  /** Served by `http.createServer(expressServerOptions(app), app)` rather than `app.listen`. @default false */
  readonly serverOptions?: boolean;
}

export function expressApp(name: string, options: ExpressAppOptions): TargetSpec {
  const args = [...NODE_SERVER_FLAGS, '--import', 'tsx', EXPRESS_APP];
  args.push('--variant', options.variant, '--port', String(options.port));
  args.push('--model-repository', options.modelRepository, '--compression', options.compression ?? 'gzip');
  if (options.otlpEndpoint !== undefined) args.push('--otlp-endpoint', options.otlpEndpoint);
  if (options.logFile !== undefined) args.push('--log-file', options.logFile);
  if (options.serverOptions === true) args.push('--server-options');
  return { name, command: process.execPath, args, readyUrl: readyUrl(options.port), reportsGc: true };
}

/** `inferlens serve` on a model's repository, ready once that model is; `telemetryArgs` as a user would pass them. */
export function inferlensServe(
  name: string,
  port: number,
  telemetryArgs: readonly string[],
  served: ServedModel = DEMO_IRIS,
): TargetSpec {
  return {
    name,
    command: process.execPath,
    args: [
      ...NODE_SERVER_FLAGS,
      CLI,
      'serve',
      '--model-repository',
      served.repository,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      ...telemetryArgs,
    ],
    readyUrl: modelReadyUrl(port, served.model),
  };
}

export function trivialServer(port: number): TargetSpec {
  return {
    name: 'trivial node:http server',
    command: process.execPath,
    args: [...NODE_SERVER_FLAGS, '--import', 'tsx', TRIVIAL, String(port)],
    readyUrl: readyUrl(port),
  };
}

/** Why a peer cannot run, or undefined when it can. */
export function peerMissing(peer: 'kserve' | 'mlserver'): string | undefined {
  const venv = peer === 'kserve' ? KSERVE_VENV : MLSERVER_VENV;
  if (!existsSync(join(venv, INSTALLED_MARKER))) {
    return `not installed (bench/peers/setup.sh failed; see ${join(PEER_CACHE, `${peer}-venv.log`)})`;
  }
  return undefined;
}

/** The KServe row's name, which the server scenario's checks take as their baseline. */
export const KSERVE_NAME = 'KServe (kserve.Model + onnxruntime)';

/** KServe's Python model server (one worker) with the same iris model.onnx on onnxruntime. */
export function kserveServer(port: number): TargetSpec {
  return {
    name: KSERVE_NAME,
    command: join(KSERVE_VENV, 'bin', 'python'),
    args: [KSERVE_SCRIPT, IRIS_ONNX, String(port)],
    readyUrl: modelReadyUrl(port, DEMO_IRIS.model),
  };
}

/**
 * MLServer with mlserver-sklearn serving the scikit-learn iris model,
 * inference in its main process. By default MLServer hands every request to
 * a parallel worker process; on the one pinned server core that adds a
 * process hop and gains no core, a cost none of the other servers pays.
 */
export function mlserverServer(port: number, grpcPort: number, metricsPort: number): TargetSpec {
  return {
    name: 'MLServer (mlserver-sklearn)',
    command: join(MLSERVER_VENV, 'bin', 'mlserver'),
    args: ['start', MLSERVER_MODEL],
    env: {
      MLSERVER_HTTP_PORT: String(port),
      MLSERVER_GRPC_PORT: String(grpcPort),
      MLSERVER_METRICS_PORT: String(metricsPort),
      MLSERVER_PARALLEL_WORKERS: '0',
      MLSERVER_DEBUG: 'false',
    },
    readyUrl: modelReadyUrl(port, DEMO_IRIS.model),
  };
}
