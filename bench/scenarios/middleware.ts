import { IRIS_V1_BODY, IRIS_V1_PATH } from '../bodies.js';
import type { ExpressAppSpec } from '../express-apps.js';
import { expressApps } from '../express-apps.js';
import type { MeasuredApp } from '../measure-apps.js';
import { IRIS_V1_REQUEST, measureApps } from '../measure-apps.js';
import type { Scenario, ScenarioContext, ScenarioReport } from '../scenario.js';
import { measuredRows } from '../scenario.js';

/** Issue targets: inferlens keeps this share of bare throughput... */
const MIN_SHARE_OF_BARE = 0.95;
/** ...adds at most this much to bare p99 latency... */
const MAX_P99_INCREASE = 0.15;
/** ...and serves this many times auto-instrumentation's throughput. */
const MIN_TIMES_AUTO_INSTRUMENTATION = 1.5;

const APPS: readonly ExpressAppSpec[] = [
  { name: 'bare Express app', variant: 'bare' },
  { name: 'inferlens middleware (all payloads, gzip OTLP)', variant: 'inferlens' },
  { name: 'OTel auto-instrumentation (HTTP + Express, gzip OTLP spans)', variant: 'otel' },
  { name: 'pino-http (request log file)', variant: 'pino' },
];

function bytesPerRequest(app: MeasuredApp): string {
  return `${Math.round(app.telemetryBytes / app.measurement.requestsSent)} B`;
}

async function run(context: ScenarioContext): Promise<ScenarioReport[]> {
  const measured = await measureApps('middleware', expressApps(APPS), IRIS_V1_REQUEST, context);
  const [bare, inferlens, otel] = measured.map((app) => app.measurement);
  return [
    {
      title: 'Middleware overhead: one Express app serving iris (KServe V1 predict)',
      baseline: bare.name,
      ...measuredRows(measured, { 'telemetry bytes/req': bytesPerRequest }),
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
}

export const middlewareScenario: Scenario = {
  id: 'middleware',
  description: 'Express app serving iris: bare, inferlens, OTel auto-instrumentation, pino-http',
  run,
};
