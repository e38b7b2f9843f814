import { jsonRequest, runLoad } from '../load.js';
import { IRIS_V1_REQUEST } from '../measure-apps.js';
import { startCountingReceiver } from '../receiver.js';
import { flatMemoryCheck, mib } from '../memory-target.js';
import { sampleRss } from '../rss-sampler.js';
import type { ExtraColumns, Scenario, ScenarioContext, ScenarioReport } from '../scenario.js';
import { measuredRows, withTargets } from '../scenario.js';
import type { Measurement } from '../side-by-side.js';
import { measurementOf, progress } from '../side-by-side.js';
import { freePort } from '../../test/support/ports.js';
import { DEMO_MODELS, expressApp } from '../targets/servers.js';

const SAMPLE_INTERVAL_MS = 1000;
/** What one run of the memory scenario saw. */
interface RssRun {
  readonly measurement: Measurement;
  readonly samples: readonly number[];
  readonly exports: { logs: number; traces: number };
}

/** `seconds` of load on the inferlens app exporting to a receiver that answers, or never does; RSS sampled every second. */
async function measureRss(name: string, respond: 'ok' | 'hang', context: ScenarioContext): Promise<RssRun> {
  const receiver = await startCountingReceiver({ respond });
  try {
    const port = await freePort();
    const spec = expressApp(name, {
      variant: 'inferlens',
      port,
      modelRepository: DEMO_MODELS,
      otlpEndpoint: receiver.url,
    });
    const seconds = context.settings.memoryDurationSeconds;
    const { result, samples } = await withTargets([spec], context, async ([target]) => {
      const sampler = sampleRss(target, SAMPLE_INTERVAL_MS);
      progress(`memory: ${seconds} s of load, ${name}`);
      const loaded = runLoad(
        {
          ...jsonRequest(`http://127.0.0.1:${port}${IRIS_V1_REQUEST.path}`, IRIS_V1_REQUEST.body),
          connections: context.settings.connections,
          durationSeconds: seconds,
        },
        context.pinning,
      );
      // Sampling ends with the load, whether it ran through or not; an app gone meanwhile fails the run.
      await loaded.catch(() => undefined);
      const samples = sampler.stop();
      return { result: await loaded, samples };
    });
    return {
      measurement: measurementOf(name, [result], [], context.settings.connections),
      samples,
      exports: { logs: receiver.counts('logs').requests, traces: receiver.counts('traces').requests },
    };
  } finally {
    await receiver.close();
  }
}

/** The table's RSS columns, from each run's samples. */
const RSS_COLUMNS: ExtraColumns<RssRun> = {
  'RSS start': (run) => mib(run.samples[0]),
  'RSS peak': (run) => mib(Math.max(...run.samples)),
  'RSS end': (run) => mib(run.samples[run.samples.length - 1]),
};

async function run(context: ScenarioContext): Promise<ScenarioReport[]> {
  const seconds = context.settings.memoryDurationSeconds;
  // The same load with a healthy endpoint first: what the app's memory does without an outage.
  const healthy = await measureRss('inferlens middleware, OTLP endpoint answering', 'ok', context);
  const down = await measureRss('inferlens middleware, OTLP endpoint never answers', 'hang', context);
  const failures = down.measurement.failures;
  return [
    {
      title: `Memory over ${seconds} s of load with the OTLP endpoint down`,
      baseline: healthy.measurement.name,
      ...measuredRows([healthy, down], RSS_COLUMNS),
      checks: [
        flatMemoryCheck(down.samples, healthy.samples),
        { target: 'no request fails while the endpoint is down', figure: `${failures} failed`, met: failures === 0 },
      ],
      notes: [
        `RSS of the app process sampled every second (${down.samples.length} samples, from before the load to its end). With the endpoint down, the receiver accepts each export and never answers, so every export waits for the exporter's timeout and the queues fill to their bound (2,048 records, the default). The first row is the same load against a receiver that answers: the memory the app uses under load anyway.`,
        `exports attempted with the endpoint down: ${down.exports.logs} logs, ${down.exports.traces} traces requests (answering: ${healthy.exports.logs} logs, ${healthy.exports.traces} traces).`,
      ],
    },
  ];
}

export const memoryScenario: Scenario = {
  id: 'memory',
  description: 'resident memory over a long run with the OTLP endpoint down',
  run,
};
