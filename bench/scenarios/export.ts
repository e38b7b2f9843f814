import type { ExpressAppSpec } from '../express-apps.js';
import { expressApps } from '../express-apps.js';
import type { MeasuredApp } from '../measure-apps.js';
import { IRIS_V1_REQUEST, measureApps } from '../measure-apps.js';
import type { Scenario, ScenarioContext, ScenarioReport } from '../scenario.js';
import { measuredRows } from '../scenario.js';

/** Mode "all": a request and a response record per call. */
const RECORDS_PER_CALL = 2;

const APPS: readonly ExpressAppSpec[] = [
  { name: 'inferlens export, gzip', variant: 'inferlens' },
  { name: 'inferlens export, uncompressed', variant: 'inferlens', compression: 'none' },
];

function delivered(app: MeasuredApp): string {
  const produced = app.requestsSent * RECORDS_PER_CALL;
  return `${app.logRecords} of ${produced} (${((app.logRecords / produced) * 100).toFixed(1)}%)`;
}

async function run(context: ScenarioContext): Promise<ScenarioReport[]> {
  const measured = await measureApps('export', expressApps(APPS), IRIS_V1_REQUEST, context, { countLogRecords: true });
  return [
    {
      title: 'Export under full load: log records delivered into a real receiver',
      baseline: APPS[0].name,
      ...measuredRows(measured, {
        'log records/s': (app) => Math.round(app.logRecordsPerSecond).toString(),
        'records delivered': delivered,
      }),
      checks: [],
      notes: [
        'The iris Express app with the inferlens middleware (mode "all", payloadSampleRate 1, default queue) under full load; the receiver on the load core decodes every OTLP/protobuf logs request and counts its records.',
        "log records/s: the median over rounds of records that arrived during a round, per second. It follows the app's request rate (two records per call) and is not the exporter's capacity, which this load does not reach. records delivered: every record that arrived, over the two per call that the calls produced (warm-up included), after the apps flushed on shutdown; less than 100% means the bounded queue dropped records.",
      ],
    },
  ];
}

export const exportScenario: Scenario = {
  id: 'export',
  description: 'log records the exporter delivers into a receiver under full load, gzip and not',
  run,
};
