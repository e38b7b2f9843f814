import { largeV2Body } from '../bodies.js';
import { CPU_COLUMN, CPU_NOTE } from '../cpu-rounds.js';
import { writeWideModelRepository } from '../large-model.js';
import type { ExpressAppSpec } from '../express-apps.js';
import { expressApps } from '../express-apps.js';
import type { MeasuredApp } from '../measure-apps.js';
import { measureApps } from '../measure-apps.js';
import type { Scenario, ScenarioContext, ScenarioReport } from '../scenario.js';
import { kib, measuredRows } from '../scenario.js';

/** The large request: a batch of 32 rows of 1,000 FP32 values. */
const LARGE_BATCH_ROWS = 32;
const LARGE_ROW_VALUES = 1000;

const APPS: readonly ExpressAppSpec[] = [
  { name: 'bare Express app', variant: 'bare' },
  { name: 'inferlens middleware, gzip OTLP', variant: 'inferlens' },
  { name: 'inferlens middleware, uncompressed OTLP', variant: 'inferlens', compression: 'none' },
];

function exportedPerRequest(app: MeasuredApp): string {
  return kib(app.telemetryBytes / app.requestsSent);
}

async function run(context: ScenarioContext): Promise<ScenarioReport[]> {
  const repository = await writeWideModelRepository(LARGE_ROW_VALUES);
  try {
    const body = largeV2Body(LARGE_BATCH_ROWS, LARGE_ROW_VALUES);
    const path = `/v2/models/${repository.model}/infer`;
    const measured = await measureApps('large payloads', expressApps(APPS, repository.path), { path, body }, context);
    return [
      {
        title: `Large payloads: V2 infer of ${LARGE_BATCH_ROWS} × ${LARGE_ROW_VALUES} FP32 through the middleware`,
        baseline: APPS[0].name,
        ...measuredRows(measured, { 'exported/req': exportedPerRequest, ...CPU_COLUMN }),
        checks: [],
        notes: [
          `Request body: ${kib(Buffer.byteLength(JSON.stringify(body)))} of JSON, \`POST ${path}\`; the model (built at start) answers each row's mean.`,
          'inferlens: mode "all", payloadSampleRate 1, every other option at its default, so request records are cut at the default `maxPayloadBytes` (64 KiB) and marked truncated.',
          'exported/req: bytes on the wire to the receiver, every signal, over every request sent (warm-up included).',
          CPU_NOTE,
        ],
      },
    ];
  } finally {
    await repository.remove();
  }
}

export const largePayloadScenario: Scenario = {
  id: 'large-payload',
  description: 'V2 infer of 32 × 1,000 FP32 with and without the middleware; bytes exported, gzip and not',
  run,
};
