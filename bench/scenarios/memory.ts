import { jsonRequest, runLoad } from '../load.js';
import { IRIS_V1_REQUEST } from '../measure-apps.js';
import { startCountingReceiver } from '../receiver.js';
import { sampleRss } from '../rss-sampler.js';
import type { ExtraColumns, Scenario, ScenarioContext, ScenarioReport } from '../scenario.js';
import { measuredRows, withTargets } from '../scenario.js';
import type { Measurement } from '../side-by-side.js';
import { measurementOf, progress } from '../side-by-side.js';
import { freePort } from '../../test/support/ports.js';
import { DEMO_MODELS, expressApp } from '../targets/servers.js';

const SAMPLE_INTERVAL_MS = 1000;
/**
 * "Flat": the peak of the outage's second half is at most this much above
 * the memory the load reached without it: the higher of the first half's
 * peak (the queues fill to their bound within a second) and the answering
 * run's peak. More means memory grows with the outage, not with the bound.
 * The answering run is there because the heap itself still grows for a
 * while under load: in some runs the first half's peak stays 20 MiB below
 * where both runs settle, and then an outage that holds its bound would
 * read as growth.
 */
const MAX_SECOND_HALF_GROWTH = 0.1;
const BYTES_PER_MIB = 1024 * 1024;

function mib(bytes: number): string {
  return `${(bytes / BYTES_PER_MIB).toFixed(1)} MiB`;
}

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
  const half = Math.floor(down.samples.length / 2);
  const reached = Math.max(...down.samples.slice(0, half), ...healthy.samples);
  const secondPeak = Math.max(...down.samples.slice(half));
  const growth = (secondPeak - reached) / reached;
  const failures = down.measurement.failures;
  return [
    {
      title: `Memory over ${seconds} s of load with the OTLP endpoint down`,
      baseline: healthy.measurement.name,
      ...measuredRows([healthy, down], RSS_COLUMNS),
      checks: [
        {
          target: `resident memory flat at the queue bound (second-half peak ≤ the higher of the first-half peak and the answering run's peak, + ${MAX_SECOND_HALF_GROWTH * 100}%)`,
          figure: `${mib(reached)} → ${mib(secondPeak)} (${(growth * 100).toFixed(1)}%)`,
          met: growth <= MAX_SECOND_HALF_GROWTH,
        },
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
