/**
 * The Express app of the middleware and large-payload scenarios: the
 * project's own app (`createApp` of @inferlens/server, KServe V1 and Open
 * Inference V2 routes over a model repository), with one variant of
 * instrumentation mounted first. Run by the suite on the server core:
 *
 *   node --import tsx bench/targets/express-app.ts --variant inferlens --port 8080 \
 *     --model-repository models --otlp-endpoint http://127.0.0.1:4318
 *
 * `app.listen` serves it, as most apps are served; with `--server-options`,
 * `http.createServer(expressServerOptions(app), app)` does. Started by the
 * suite, with an IPC channel, it reports its garbage collections there.
 */
import { parseArgs } from 'node:util';
import { reportGcTotals } from './gc-report.js';
import type { MiddlewareVariant } from './middleware-variants.js';
import { MIDDLEWARE_VARIANTS, installVariant } from './middleware-variants.js';

const { values } = parseArgs({
  options: {
    variant: { type: 'string' },
    port: { type: 'string' },
    'model-repository': { type: 'string' },
    'otlp-endpoint': { type: 'string' },
    compression: { type: 'string', default: 'gzip' },
    'log-file': { type: 'string' },
    'server-options': { type: 'boolean', default: false },
  },
});
if (process.send !== undefined) reportGcTotals();
const variant = values.variant as MiddlewareVariant;
if (!MIDDLEWARE_VARIANTS.includes(variant))
  throw new Error(`--variant must be one of ${MIDDLEWARE_VARIANTS.join(', ')}`);
if (values.compression !== 'gzip' && values.compression !== 'none')
  throw new Error('--compression must be gzip or none');
if (values['model-repository'] === undefined || values.port === undefined) {
  throw new Error('--model-repository and --port are required');
}

const installed = await installVariant(variant, {
  otlpEndpoint: values['otlp-endpoint'],
  compression: values.compression,
  logFile: values['log-file'],
});
// Only now: Express must load after the variant's instrumentation.
const { createApp, DEFAULT_MAX_BODY_BYTES, ModelRepository, silentLogger } = await import('@inferlens/server');

const repository = new ModelRepository(values['model-repository'], { logger: silentLogger, sessionOptions: {} });
await repository.load();
const app = createApp({
  repository,
  logger: silentLogger,
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  isReady: () => repository.loaded,
  telemetry: installed.middleware,
});
// Also only now, as the variant's own imports are: the OTel variant's import hook wraps node:http as it loads.
const { createServer } = await import('node:http');
const { expressServerOptions } = await import('@inferlens/express');
const server = values['server-options']
  ? createServer(expressServerOptions(app), app).listen(Number(values.port), '127.0.0.1')
  : app.listen(Number(values.port), '127.0.0.1');

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void installed
    .shutdown()
    .then(() => repository.close())
    .finally(() => process.exit(0));
});
