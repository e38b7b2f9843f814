import { IRIS_V1_BODY, IRIS_V1_PATH } from '../bodies.js';
import { jsonRequest } from '../load.js';
import type { CountingReceiver } from '../receiver.js';
import { startCountingReceiver } from '../receiver.js';
import type { Scenario, ScenarioContext, ScenarioReport } from '../scenario.js';
import { withTargets } from '../scenario.js';
import type { Variant } from '../side-by-side.js';
import { measureSideBySide, median } from '../side-by-side.js';
import { freePort } from '../../test/support/ports.js';
import { DEMO_MODELS, expressApp } from '../targets/servers.js';

/** Mode "all": a request and a response record per call. */
const RECORDS_PER_CALL = 2;

/** A variant whose receiver's log records are counted round by round. */
function countedVariant(name: string, url: string, receiver: CountingReceiver, perRound: number[]): Variant {
  let before = 0;
  return {
    name,
    load: jsonRequest(url, IRIS_V1_BODY),
    beforeRound: () => {
      before = receiver.counts('logs').records;
    },
    afterRound: (result) => {
      perRound.push((receiver.counts('logs').records - before) / result.seconds);
    },
  };
}

async function run(context: ScenarioContext): Promise<ScenarioReport[]> {
  const receivers: CountingReceiver[] = [];
  try {
    const gzip = await startCountingReceiver({ countLogRecords: true });
    const plain = await startCountingReceiver({ countLogRecords: true });
    receivers.push(gzip, plain);
    const gzipPort = await freePort();
    const plainPort = await freePort();
    const names = { gzip: 'inferlens export, gzip', none: 'inferlens export, uncompressed' };
    const specs = [
      expressApp(names.gzip, {
        variant: 'inferlens',
        port: gzipPort,
        modelRepository: DEMO_MODELS,
        otlpEndpoint: gzip.url,
      }),
      expressApp(names.none, {
        variant: 'inferlens',
        port: plainPort,
        modelRepository: DEMO_MODELS,
        otlpEndpoint: plain.url,
        compression: 'none',
      }),
    ];
    const gzipRates: number[] = [];
    const plainRates: number[] = [];
    const variants = [
      countedVariant(names.gzip, `http://127.0.0.1:${gzipPort}${IRIS_V1_PATH}`, gzip, gzipRates),
      countedVariant(names.none, `http://127.0.0.1:${plainPort}${IRIS_V1_PATH}`, plain, plainRates),
    ];
    // Stopping the apps flushes their queues: what has not arrived by then was dropped.
    const [gzipMeasured, plainMeasured] = await withTargets(specs, context, () =>
      measureSideBySide('export', variants, context.settings, context.pinning),
    );
    const extra = (receiver: CountingReceiver, rates: number[], sent: number): Record<string, string> => {
      const received = receiver.counts('logs').records;
      const produced = sent * RECORDS_PER_CALL;
      return {
        'log records/s': Math.round(median(rates)).toString(),
        'records delivered': `${received} of ${produced} (${((received / produced) * 100).toFixed(1)}%)`,
      };
    };
    return [
      {
        title: 'Export under full load: log records delivered into a real receiver',
        baseline: names.gzip,
        rows: [
          {
            name: gzipMeasured.name,
            measurement: gzipMeasured,
            extra: extra(gzip, gzipRates, gzipMeasured.requestsSent),
          },
          {
            name: plainMeasured.name,
            measurement: plainMeasured,
            extra: extra(plain, plainRates, plainMeasured.requestsSent),
          },
        ],
        extraColumns: ['log records/s', 'records delivered'],
        checks: [],
        notes: [
          'The iris Express app with the inferlens middleware (mode "all", payloadSampleRate 1, default queue) under full load; the receiver on the load core decodes every OTLP/protobuf logs request and counts its records.',
          "log records/s: the median over rounds of records that arrived during a round, per second. It follows the app's request rate (two records per call) and is not the exporter's capacity, which this load does not reach. records delivered: every record that arrived, over the two per call that the calls produced (warm-up included), after the apps flushed on shutdown; less than 100% means the bounded queue dropped records.",
        ],
      },
    ];
  } finally {
    await Promise.all(receivers.map((receiver) => receiver.close()));
  }
}

export const exportScenario: Scenario = {
  id: 'export',
  description: 'log records the exporter delivers into a receiver under full load, gzip and not',
  run,
};
