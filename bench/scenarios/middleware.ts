import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IRIS_V1_BODY, IRIS_V1_PATH } from '../bodies.js';
import { jsonRequest } from '../load.js';
import type { CountingReceiver } from '../receiver.js';
import { startCountingReceiver } from '../receiver.js';
import type { Scenario, ScenarioContext, ScenarioReport } from '../scenario.js';
import { withTargets } from '../scenario.js';
import type { Variant } from '../side-by-side.js';
import { measureSideBySide } from '../side-by-side.js';
import { freePort } from '../../test/support/ports.js';
import { DEMO_MODELS, expressApp } from '../targets/servers.js';

/** Issue targets: inferlens keeps this share of bare throughput... */
export const MIN_SHARE_OF_BARE = 0.95;
/** ...adds at most this much to bare p99 latency... */
export const MAX_P99_INCREASE = 0.15;
/** ...and serves this many times auto-instrumentation's throughput. */
export const MIN_TIMES_AUTO_INSTRUMENTATION = 1.5;

const NAMES = {
  bare: 'bare Express app',
  inferlens: 'inferlens middleware (all payloads, gzip OTLP)',
  otel: 'OTel auto-instrumentation (HTTP + Express, gzip OTLP spans)',
  pino: 'pino-http (request log file)',
} as const;

async function run(context: ScenarioContext): Promise<ScenarioReport[]> {
  const logDir = await mkdtemp(join(tmpdir(), 'inferlens-bench-pino-'));
  const logFile = join(logDir, 'requests.log');
  const receivers: CountingReceiver[] = [];
  try {
    const inferlensReceiver = await startCountingReceiver();
    const otelReceiver = await startCountingReceiver();
    receivers.push(inferlensReceiver, otelReceiver);
    const ports = {
      bare: await freePort(),
      inferlens: await freePort(),
      otel: await freePort(),
      pino: await freePort(),
    };
    const app = { modelRepository: DEMO_MODELS };
    const specs = [
      expressApp(NAMES.bare, { ...app, variant: 'bare', port: ports.bare }),
      expressApp(NAMES.inferlens, {
        ...app,
        variant: 'inferlens',
        port: ports.inferlens,
        otlpEndpoint: inferlensReceiver.url,
      }),
      expressApp(NAMES.otel, { ...app, variant: 'otel', port: ports.otel, otlpEndpoint: otelReceiver.url }),
      expressApp(NAMES.pino, { ...app, variant: 'pino', port: ports.pino, logFile }),
    ];
    const variants: Variant[] = (Object.keys(ports) as (keyof typeof ports)[]).map((key) => ({
      name: NAMES[key],
      load: jsonRequest(`http://127.0.0.1:${ports[key]}${IRIS_V1_PATH}`, IRIS_V1_BODY),
    }));
    // Stopping the apps flushes their telemetry, so the byte counts below are complete.
    const measured = await withTargets(specs, context, () =>
      measureSideBySide('middleware', variants, context.settings, context.pinning),
    );
    const [bare, inferlens, otel, pino] = measured;
    const logBytes = (await stat(logFile)).size;
    const perRequest = (bytes: number, sent: number): string => `${Math.round(bytes / sent)} B`;
    return [
      {
        title: 'Middleware overhead: one Express app serving iris (KServe V1 predict)',
        baseline: NAMES.bare,
        rows: [
          { name: bare.name, measurement: bare, extra: { 'telemetry bytes/req': '0 B' } },
          {
            name: inferlens.name,
            measurement: inferlens,
            extra: { 'telemetry bytes/req': perRequest(inferlensReceiver.totalWireBytes(), inferlens.requestsSent) },
          },
          {
            name: otel.name,
            measurement: otel,
            extra: { 'telemetry bytes/req': perRequest(otelReceiver.totalWireBytes(), otel.requestsSent) },
          },
          {
            name: pino.name,
            measurement: pino,
            extra: { 'telemetry bytes/req': perRequest(logBytes, pino.requestsSent) },
          },
        ],
        extraColumns: ['telemetry bytes/req'],
        checks: [
          {
            target: `inferlens ≥ ${MIN_SHARE_OF_BARE * 100}% of bare throughput`,
            figure: `${((inferlens.requestsPerSecond / bare.requestsPerSecond) * 100).toFixed(1)}%`,
            met: inferlens.requestsPerSecond >= MIN_SHARE_OF_BARE * bare.requestsPerSecond,
          },
          {
            target: `inferlens p99 within +${MAX_P99_INCREASE * 100}% of bare`,
            figure: `${(((inferlens.p99Ms - bare.p99Ms) / bare.p99Ms) * 100).toFixed(1)}%`,
            met: inferlens.p99Ms <= (1 + MAX_P99_INCREASE) * bare.p99Ms,
          },
          {
            target: `inferlens ≥ ${MIN_TIMES_AUTO_INSTRUMENTATION}× auto-instrumentation throughput`,
            figure: `${(inferlens.requestsPerSecond / otel.requestsPerSecond).toFixed(2)}×`,
            met: inferlens.requestsPerSecond >= MIN_TIMES_AUTO_INSTRUMENTATION * otel.requestsPerSecond,
          },
        ],
        notes: [
          `Every variant answers the same body, \`POST ${IRIS_V1_PATH}\` \`${JSON.stringify(IRIS_V1_BODY)}\`, with the project's own Express app (\`createApp\` of @inferlens/server).`,
          'inferlens: `inferenceTelemetry({ mode: "all", payloadSampleRate: 1 })`, spans, request and response log records and metrics over OTLP/HTTP protobuf, gzip, to a receiver on the load core.',
          'OTel: NodeSDK with @opentelemetry/instrumentation-http and -express, spans over OTLP/HTTP protobuf, gzip, to a receiver on the load core.',
          'pino-http: default options, asynchronous writes (`pino.destination({ sync: false })`) to a file.',
          'telemetry bytes/req: bytes on the wire to the receiver (inferlens, OTel) or written to the log file (pino), over every request sent, warm-up included.',
        ],
      },
    ];
  } finally {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await rm(logDir, { recursive: true, force: true });
  }
}

export const middlewareScenario: Scenario = {
  id: 'middleware',
  description: 'Express app serving iris: bare, inferlens, OTel auto-instrumentation, pino-http',
  run,
};
