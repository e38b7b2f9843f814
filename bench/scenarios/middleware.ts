import { IRIS_V1_BODY, IRIS_V1_PATH } from '../bodies.js';
import type { ExpressAppSpec } from '../express-apps.js';
import { expressApps } from '../express-apps.js';
import { CPU_COLUMN, CPU_NOTE } from '../cpu-rounds.js';
import { GC_COLUMNS, GC_NOTE } from '../gc-rounds.js';
import type { MeasuredApp } from '../measure-apps.js';
import type { Measurement } from '../side-by-side.js';
import { IRIS_V1_REQUEST, measureApps } from '../measure-apps.js';
import type { Scenario, ScenarioContext, ScenarioReport } from '../scenario.js';
import { SEND_LAG_COLUMN, SEND_LAG_NOTE, measuredRows } from '../scenario.js';
import { latencyCheck, throughputChecks } from '../middleware-targets.js';

/**
 * The load latency is compared at: this share of the bare app's saturated
 * throughput (as `app.listen` serves it) in the same run, offered on a fixed
 * schedule to bare and inferlens alike, each served both ways. All sustain
 * it; none is driven to its limit.
 */
const LATENCY_LOAD_SHARE_OF_BARE = 0.5;

const BARE = 'bare Express app';
const FLOOR = 'request-id echo and answer kept, nothing recorded';
const INFERLENS = 'inferlens middleware (all payloads, gzip OTLP)';
const OTEL = 'OTel auto-instrumentation (HTTP + Express, gzip OTLP spans)';
/** How the apps of the second table are served, as named in their rows and targets. */
const SERVED = 'served with expressServerOptions';
const served = (name: string): string => `${name}, ${SERVED}`;
const APPS: readonly ExpressAppSpec[] = [
  { name: BARE, variant: 'bare' },
  { name: FLOOR, variant: 'floor' },
  { name: INFERLENS, variant: 'inferlens' },
  { name: OTEL, variant: 'otel' },
  { name: 'pino-http (request log file)', variant: 'pino' },
  { name: served(BARE), variant: 'bare', serverOptions: true },
  { name: served(INFERLENS), variant: 'inferlens', serverOptions: true },
  { name: served(OTEL), variant: 'otel', serverOptions: true },
];
/** The apps `app.listen` serves: the first table. */
const LISTENING = APPS.filter((app) => app.serverOptions !== true).map((app) => app.name);

/** The rate latency is compared at, from the saturated rounds of the same run. */
function latencyLoad(saturated: readonly Measurement[]): number {
  return LATENCY_LOAD_SHARE_OF_BARE * saturated.find((measurement) => measurement.name === BARE)!.requestsPerSecond;
}

function bytesPerRequest(app: MeasuredApp): string {
  return `${Math.round(app.telemetryBytes / app.requestsSent)} B`;
}

async function run(context: ScenarioContext): Promise<ScenarioReport[]> {
  const measured = await measureApps('middleware', expressApps(APPS), IRIS_V1_REQUEST, context, {
    fixedRate: { apps: [BARE, INFERLENS, served(BARE), served(INFERLENS)], rate: latencyLoad },
  });
  const named = (name: string): MeasuredApp => measured.find((app) => app.measurement.name === name)!;
  const [bareApp, floor, inferlens, otel] = [BARE, FLOOR, INFERLENS, OTEL].map(named);
  const bare = bareApp.measurement;
  const [servedBare, servedInferlens, servedOtel] = [BARE, INFERLENS, OTEL].map((name) => named(served(name)));
  const listening = measured.filter((app) => LISTENING.includes(app.measurement.name));
  const floorShare = ((floor.measurement.requestsPerSecond / bare.requestsPerSecond) * 100).toFixed(1);
  const [bareAtRate, inferlensAtRate, servedBareAtRate, servedInferlensAtRate] = [
    BARE,
    INFERLENS,
    served(BARE),
    served(INFERLENS),
  ]
    .map(named)
    .map((app) => ({
      measurement: app.atFixedRate!,
      gc: app.gcAtFixedRate,
      cpuMicrosPerCall: app.cpuMicrosPerCallAtFixedRate,
    }));
  const offered = Math.round(latencyLoad(measured.map((app) => app.measurement)));
  const request = `\`POST ${IRIS_V1_PATH}\` \`${JSON.stringify(IRIS_V1_BODY)}\``;
  return [
    {
      title: 'Middleware overhead: one Express app serving iris (KServe V1 predict)',
      baseline: bare.name,
      ...measuredRows(listening, { 'telemetry bytes/req': bytesPerRequest, ...CPU_COLUMN, ...GC_COLUMNS }),
      checks: throughputChecks(bareApp, inferlens, otel),
      notes: [
        `Every variant answers the same body, ${request}, with the project's own Express app (\`createApp\` of @inferlens/server), served by \`app.listen\` as most Express apps are, driven as fast as it answers (autocannon's closed loop). Latency here is that of a saturated server: connections over throughput, plus the pauses each connection met; the latency target is judged in the next table but one.`,
        `${FLOOR}: a middleware that only echoes \`x-request-id\` (drawn when absent), keeps a reference to each piece of the answer and is told when the call closes, the least a middleware that logs payloads and echoes the request id does, done the cheapest way known (\`bench/targets/floor-middleware.ts\`). It keeps ${floorShare}% of bare throughput: about the most any such middleware can keep on this app and machine.`,
        'inferlens: `inferenceTelemetry({ mode: "all", payloadSampleRate: 1 })`, spans, request and response log records and metrics over OTLP/HTTP protobuf, gzip, to a receiver on the load core.',
        'OTel: NodeSDK with @opentelemetry/instrumentation-http and -express, spans over OTLP/HTTP protobuf, gzip, to a receiver on the load core.',
        'pino-http: default options, asynchronous writes (`pino.destination({ sync: false })`) to a file.',
        'telemetry bytes/req: bytes on the wire to the receiver (inferlens, OTel) or written to the log file (pino), over every request sent, warm-up and fixed-load rounds included.',
        CPU_NOTE,
        'Each throughput target also gives the same ratio by CPU per call: the baseline’s CPU µs/call over inferlens’s. Where the two differ, a server did not have its core to itself, or the load did not keep it busy. The target is judged on throughput.',
        GC_NOTE,
      ],
    },
    {
      title: 'Middleware overhead, the same apps served with expressServerOptions',
      baseline: servedBare.measurement.name,
      ...measuredRows([servedBare, servedInferlens, servedOtel], {
        'telemetry bytes/req': bytesPerRequest,
        ...CPU_COLUMN,
        ...GC_COLUMNS,
      }),
      checks: throughputChecks(servedBare, servedInferlens, servedOtel, SERVED),
      notes: [
        'The bare, inferlens and OTel apps of the table above, measured in the same rounds, each served by `http.createServer(expressServerOptions(app), app)`: every request and response is made with the app\'s prototypes, so Express\'s own change of them on each call changes nothing, and the properties Express and its router add to them share their maps (see docs/telemetry.md, "Serving an Express app").',
        'The latency target is judged on the bare and inferlens apps served each way, at the same load, in the next two tables.',
      ],
    },
    {
      title: `Middleware latency at a fixed load: ${LATENCY_LOAD_SHARE_OF_BARE * 100}% of the bare app's throughput`,
      baseline: bareAtRate.measurement.name,
      ...measuredRows([bareAtRate, inferlensAtRate], { ...SEND_LAG_COLUMN, ...CPU_COLUMN, ...GC_COLUMNS }),
      checks: [latencyCheck(bareAtRate.measurement, inferlensAtRate.measurement)],
      notes: [
        `The same two apps as above, still running, each offered ${offered} req/s (${LATENCY_LOAD_SHARE_OF_BARE * 100}% of the bare app's median above) on a fixed schedule, an open loop over at most ${context.settings.connections} connections: a request leaves on time whether earlier ones have come back or not, so a pause shows in every request that arrives during it. req/s is the rate of 2xx answers.`,
        'Latency runs from the moment each request is issued (a wait for a free connection included) to the last byte of its answer. Requests due in the same millisecond leave together, as the generator’s timer allows.',
        SEND_LAG_NOTE,
        CPU_NOTE,
        GC_NOTE,
      ],
    },
    {
      title: `Middleware latency at the same fixed load, ${SERVED}`,
      baseline: servedBareAtRate.measurement.name,
      ...measuredRows([servedBareAtRate, servedInferlensAtRate], {
        ...SEND_LAG_COLUMN,
        ...CPU_COLUMN,
        ...GC_COLUMNS,
      }),
      checks: [latencyCheck(servedBareAtRate.measurement, servedInferlensAtRate.measurement, SERVED)],
      notes: [
        `The bare and inferlens apps served with \`expressServerOptions\`, offered the same ${offered} req/s in the same way as in the table above, in the same rounds: the two tables differ only in how the apps are served.`,
      ],
    },
  ];
}

export const middlewareScenario: Scenario = {
  id: 'middleware',
  description:
    'Express app serving iris: bare, inferlens, OTel auto-instrumentation, pino-http; bare, inferlens and OTel again with expressServerOptions',
  run,
};
