import { IRIS_V1_BODY, IRIS_V1_PATH } from '../bodies.js';
import { CPU_COLUMN, CPU_NOTE } from '../cpu-rounds.js';
import type { AppSpec, TelemetrySink } from '../measure-apps.js';
import { IRIS_V1_REQUEST, measureApps } from '../measure-apps.js';
import type { Scenario, ScenarioContext, ScenarioReport } from '../scenario.js';
import { measuredRows } from '../scenario.js';
import { inferlensServe } from '../targets/servers.js';

/** One configuration of `inferlens serve`: what it records, and where to. */
interface Layer {
  readonly name: string;
  /** Where its telemetry goes: OTLP to a receiver of its own (`--otlp-endpoint`), files (`--monitoring-dir`), or nowhere. */
  readonly sink: TelemetrySink;
  /** Its other `inferlens serve` flags. */
  readonly flags: readonly string[];
  /** The row this one adds a piece of telemetry to: its `step` column is the difference. */
  readonly adds?: string;
}

const OFF = 'telemetry off';
const SPANS = 'spans and metrics, OTLP uncompressed';
const RECORDS = '+ request and response records';

/** Each piece of the telemetry added to the one before, then the out-of-the-box file sink beside them. */
const LAYERS: readonly Layer[] = [
  { name: OFF, sink: 'none', flags: ['--telemetry', 'off'] },
  { name: SPANS, sink: 'otlp', flags: ['--otlp-compression', 'none', '--payload-sample-rate', '0'], adds: OFF },
  { name: RECORDS, sink: 'otlp', flags: ['--otlp-compression', 'none'], adds: SPANS },
  { name: '+ gzip (the OTLP default)', sink: 'otlp', flags: [], adds: RECORDS },
  { name: 'records to JSON-lines files (out of the box)', sink: 'files', flags: [] },
];

/** `time` less `base`, signed, or `—` when either was not measured. */
function microsOver(time: number | undefined, base: number | undefined): string {
  if (time === undefined || base === undefined) return '—';
  const added = time - base;
  return `${added >= 0 ? '+' : ''}${added.toFixed(1)} µs`;
}

/** The layer's `inferlens serve`: its own flags, then where measureApps made a place for its telemetry. */
function servedLayer(layer: Layer): AppSpec {
  return {
    name: layer.name,
    sink: layer.sink,
    target: ({ port, otlpEndpoint, telemetryDir }) => {
      const flags = [...layer.flags];
      if (telemetryDir !== undefined) flags.push('--monitoring-dir', telemetryDir);
      if (otlpEndpoint !== undefined) flags.push('--otlp-endpoint', otlpEndpoint);
      return inferlensServe(layer.name, port, flags);
    },
  };
}

async function run(context: ScenarioContext): Promise<ScenarioReport[]> {
  const measured = await measureApps('telemetry cost', LAYERS.map(servedLayer), IRIS_V1_REQUEST, context);
  // measureApps answers in the order of the apps, which is the order of LAYERS.
  const rows = LAYERS.map((layer, index) => ({ layer, ...measured[index] }));
  const timeOf = (name: string): number | undefined => rows.find(({ layer }) => layer.name === name)!.cpuMicrosPerCall;
  return [
    {
      title: 'Telemetry cost per call: `inferlens serve` serving iris (KServe V1 predict), one piece at a time',
      baseline: OFF,
      ...measuredRows(rows, {
        ...CPU_COLUMN,
        'over off': ({ cpuMicrosPerCall }) => microsOver(cpuMicrosPerCall, timeOf(OFF)),
        step: ({ layer, cpuMicrosPerCall }) =>
          layer.adds === undefined ? '' : microsOver(cpuMicrosPerCall, timeOf(layer.adds)),
      }),
      checks: [],
      notes: [
        `Every variant is \`inferlens serve\` on the demo models, one process on the server core, sent \`POST ${IRIS_V1_PATH}\` \`${JSON.stringify(IRIS_V1_BODY)}\`; each OTLP variant exports to a receiver of its own on the load core.`,
        'The OTLP rows add one piece at a time: spans and metrics only (`--payload-sample-rate 0`, uncompressed), then the request and response records of every call (mode "all"), then gzip. The last row is the default with no endpoint: the request and response records go to JSON-lines files, and spans and metrics are made but, with no endpoint, not exported.',
        `${CPU_NOTE} At telemetry off’s rate the load generator is part of the limit (see the ceiling): that server is then not always busy, so its CPU µs/call is, if anything, overstated, and the times added to it understated.`,
        'over off: CPU µs/call beyond telemetry off. step: beyond the row it adds to.',
      ],
    },
  ];
}

export const telemetryCostScenario: Scenario = {
  id: 'telemetry-cost',
  description:
    'what each piece of the telemetry costs per call in `inferlens serve`: spans and metrics, payload records, gzip, the file sink',
  run,
};
