import { largeV2Body } from '../bodies.js';
import { writeWideModelRepository } from '../large-model.js';
import { jsonRequest } from '../load.js';
import type { CountingReceiver } from '../receiver.js';
import { startCountingReceiver } from '../receiver.js';
import type { Scenario, ScenarioContext, ScenarioReport } from '../scenario.js';
import { kib, withTargets } from '../scenario.js';
import { measureSideBySide } from '../side-by-side.js';
import { freePort } from '../../test/support/ports.js';
import { expressApp } from '../targets/servers.js';

/** The large request: a batch of 32 rows of 1,000 FP32 values. */
export const LARGE_BATCH_ROWS = 32;
export const LARGE_ROW_VALUES = 1000;

const NAMES = {
  bare: 'bare Express app',
  gzip: 'inferlens middleware, gzip OTLP',
  none: 'inferlens middleware, uncompressed OTLP',
} as const;

async function run(context: ScenarioContext): Promise<ScenarioReport[]> {
  const repository = await writeWideModelRepository(LARGE_ROW_VALUES);
  const receivers: CountingReceiver[] = [];
  try {
    const gzipReceiver = await startCountingReceiver();
    const plainReceiver = await startCountingReceiver();
    receivers.push(gzipReceiver, plainReceiver);
    const ports = { bare: await freePort(), gzip: await freePort(), none: await freePort() };
    const app = { modelRepository: repository.path };
    const specs = [
      expressApp(NAMES.bare, { ...app, variant: 'bare', port: ports.bare }),
      expressApp(NAMES.gzip, { ...app, variant: 'inferlens', port: ports.gzip, otlpEndpoint: gzipReceiver.url }),
      expressApp(NAMES.none, {
        ...app,
        variant: 'inferlens',
        port: ports.none,
        otlpEndpoint: plainReceiver.url,
        compression: 'none',
      }),
    ];
    const body = largeV2Body(LARGE_BATCH_ROWS, LARGE_ROW_VALUES);
    const path = `/v2/models/${repository.model}/infer`;
    const variants = (Object.keys(ports) as (keyof typeof ports)[]).map((key) => ({
      name: NAMES[key],
      load: jsonRequest(`http://127.0.0.1:${ports[key]}${path}`, body),
    }));
    const [bare, gzip, none] = await withTargets(specs, context, () =>
      measureSideBySide('large payloads', variants, context.settings, context.pinning),
    );
    const exported = (receiver: CountingReceiver, sent: number): string => kib(receiver.totalWireBytes() / sent);
    return [
      {
        title: `Large payloads: V2 infer of ${LARGE_BATCH_ROWS} × ${LARGE_ROW_VALUES} FP32 through the middleware`,
        baseline: NAMES.bare,
        rows: [
          { name: bare.name, measurement: bare, extra: { 'exported/req': '0' } },
          { name: gzip.name, measurement: gzip, extra: { 'exported/req': exported(gzipReceiver, gzip.requestsSent) } },
          { name: none.name, measurement: none, extra: { 'exported/req': exported(plainReceiver, none.requestsSent) } },
        ],
        extraColumns: ['exported/req'],
        checks: [],
        notes: [
          `Request body: ${kib(Buffer.byteLength(JSON.stringify(body)))} of JSON, \`POST ${path}\`; the model (built at start) answers each row's mean.`,
          'inferlens: mode "all", payloadSampleRate 1, every other option at its default, so request records are cut at the default `maxPayloadBytes` (64 KiB) and marked truncated.',
          'exported/req: bytes on the wire to the receiver, every signal, over every request sent (warm-up included).',
        ],
      },
    ];
  } finally {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await repository.remove();
  }
}

export const largePayloadScenario: Scenario = {
  id: 'large-payload',
  description: 'V2 infer of 32 × 1,000 FP32 with and without the middleware; bytes exported, gzip and not',
  run,
};
