/** The own providers' trace sampler, from OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG. */
import { createHash } from 'node:crypto';
import { mock } from 'node:test';
import type { Context } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace';
import { expect } from 'chai';
import { requestIdsOf } from '../../../test/support/otlp-model.js';
import { useOtlpReceiver } from '../../../test/support/use-otlp-receiver.js';
import { EnvReader } from '../src/env.js';
import { inferenceTelemetry } from '../src/middleware.js';
import { samplerFromEnv } from '../src/signals/sampler.js';
import { useEnvironment } from './environment.js';
import { recordingReporter, sleep } from './export-helpers.js';
import { IRIS_BODY, kserveApp, post, useServers } from './in-memory-telemetry.js';

/** The slow-call threshold of the over-the-wire test. */
const SLOW_MS = 250;

/** An epoch time in milliseconds at which a float sum rounds a tenth of a microsecond away. */
const EPOCH_MILLIS = 1_763_800_000_123;

/** Trace ids as random as generated ones, the same every run: a ratio of 0.5 samples about half. */
const TRACE_IDS = Array.from({ length: 200 }, (_, index) =>
  createHash('sha256').update(String(index)).digest('hex').slice(0, 32),
);
/** A caller's context whose trace was sampled. */
const SAMPLED_PARENT: Context = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
});

/** The share of TRACE_IDS sampled from `context`, with `env`; and what was reported reading it. */
function sampledShare(env: NodeJS.ProcessEnv, context: Context = ROOT_CONTEXT) {
  const reporter = recordingReporter();
  const sampler = samplerFromEnv(new EnvReader(env, reporter));
  const sampled = TRACE_IDS.filter(
    (traceId) =>
      sampler.shouldSample(context, traceId, 'predict iris', SpanKind.SERVER, {}, []).decision ===
      SamplingDecision.RECORD_AND_SAMPLED,
  );
  return { share: sampled.length / TRACE_IDS.length, codes: reporter.calls.map((call) => call.code) };
}

describe('trace sampler from the environment', () => {
  it('samples every new trace by default, and follows a sampled caller', () => {
    expect(sampledShare({})).to.deep.equal({ share: 1, codes: [] });
    expect(sampledShare({}, SAMPLED_PARENT).share).to.equal(1);
  });

  it('samples the ratio OTEL_TRACES_SAMPLER_ARG gives, by trace id', () => {
    const { share } = sampledShare({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' });
    expect(share).to.be.within(0.4, 0.6);
    expect(sampledShare({ OTEL_TRACES_SAMPLER: 'TraceIdRatio', OTEL_TRACES_SAMPLER_ARG: '0' }).share).to.equal(0);
    expect(sampledShare({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' })).to.deep.equal({
      share: 1,
      codes: [],
    });
  });

  it('with a parent-based sampler, follows the caller whatever the ratio', () => {
    const env = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' };
    expect(sampledShare(env).share).to.equal(0);
    expect(sampledShare(env, SAMPLED_PARENT).share).to.equal(1);
    expect(sampledShare({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }).share).to.equal(0);
  });

  it('reports and ignores a ratio outside 0..1 and an unknown sampler, keeping the defaults', () => {
    expect(sampledShare({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' })).to.deep.equal({
      share: 1,
      codes: ['INFERLENS_BAD_ENV_OTEL_TRACES_SAMPLER_ARG'],
    });
    expect(sampledShare({ OTEL_TRACES_SAMPLER: 'jaeger_remote' })).to.deep.equal({
      share: 1,
      codes: ['INFERLENS_BAD_ENV_OTEL_TRACES_SAMPLER'],
    });
  });

  it('says that the remote samplers the specification lists are not supported, and that the default applies', () => {
    for (const name of ['jaeger_remote', 'parentbased_jaeger_remote', 'xray']) {
      const reporter = recordingReporter();
      samplerFromEnv(new EnvReader({ OTEL_TRACES_SAMPLER: name }, reporter));
      expect(reporter.calls, name).to.deep.equal([
        {
          code: 'INFERLENS_BAD_ENV_OTEL_TRACES_SAMPLER',
          message:
            `OTEL_TRACES_SAMPLER='${name}' is not supported: ` +
            'the middleware has no remote sampling client; parentbased_always_on applies',
        },
      ]);
      expect(sampledShare({ OTEL_TRACES_SAMPLER: name }).share, name).to.equal(1);
    }
  });

  it("reads OTEL_TRACES_SAMPLER_ARG for the ratio samplers only, as another sampler's argument is no ratio", () => {
    // The specification's argument of the Jaeger remote samplers.
    const jaegerArgument = 'endpoint=http://localhost:14250,pollingIntervalMs=5000,initialSamplingRate=0.25';
    for (const name of ['jaeger_remote', 'parentbased_jaeger_remote']) {
      expect(sampledShare({ OTEL_TRACES_SAMPLER: name, OTEL_TRACES_SAMPLER_ARG: jaegerArgument }), name).to.deep.equal({
        share: 1,
        codes: ['INFERLENS_BAD_ENV_OTEL_TRACES_SAMPLER'],
      });
    }
    expect(sampledShare({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: 'unused' })).to.deep.equal({
      share: 1,
      codes: [],
    });
  });
});

describe('spans the sampler declines (own providers, over the wire)', () => {
  const servers = useServers();
  const receiver = useOtlpReceiver({ per: 'test' });
  useEnvironment(() => ({ OTEL_TRACES_SAMPLER: 'always_off' }));

  it('are exported for failed and slow calls, with their payload records, and not for the others', async () => {
    const telemetry = inferenceTelemetry({
      otlp: { endpoint: receiver().url },
      fileSink: { enabled: false },
      // Far apart, so that a fast call on a loaded machine is still under the threshold.
      slowRequestThresholdMs: SLOW_MS,
    });
    try {
      const app = kserveApp(telemetry, {
        predict: async (_req, res, model) => {
          if (model === 'slow') await sleep(2 * SLOW_MS);
          if (model === 'broken') res.status(500).json({ error: 'the model broke' });
          else res.json({ predictions: [1] });
        },
      });
      const url = await servers.start(app);
      for (const model of ['iris', 'broken', 'slow']) {
        await post(`${url}/v1/models/${model}:predict`, IRIS_BODY, { 'x-request-id': model });
      }
      await telemetry.forceFlush();
      expect(new Set(requestIdsOf(receiver().spans()))).to.deep.equal(new Set(['broken', 'slow']));
      expect(new Set(requestIdsOf(receiver().logRecords()))).to.deep.equal(new Set(['broken', 'slow']));
    } finally {
      await telemetry.shutdown();
    }
  });

  it('at the slow threshold, exports the span of exactly the calls whose records are kept', async () => {
    // The clocks the middleware reads, stopped, so that each call lasts exactly what its model says.
    let performanceNow = 1000;
    mock.method(Date, 'now', () => EPOCH_MILLIS);
    mock.method(performance, 'now', () => performanceNow);
    const telemetry = inferenceTelemetry({
      otlp: { endpoint: receiver().url },
      fileSink: { enabled: false },
      payloadSampleRate: 0,
      slowRequestThresholdMs: SLOW_MS,
    });
    try {
      const app = kserveApp(telemetry, {
        predict: (_req, res, model) => {
          // 'over' ends a tenth of a microsecond past the threshold: rebuilt from epoch milliseconds, it would be on it.
          performanceNow += model === 'over' ? SLOW_MS + 1e-4 : SLOW_MS;
          res.json({ predictions: [1] });
        },
      });
      const url = await servers.start(app);
      for (const model of ['at', 'over']) {
        await post(`${url}/v1/models/${model}:predict`, IRIS_BODY, { 'x-request-id': model });
      }
      await telemetry.forceFlush();
      expect(requestIdsOf(receiver().logRecords())).to.deep.equal(['over', 'over']);
      expect(requestIdsOf(receiver().spans())).to.deep.equal(['over']);
    } finally {
      mock.restoreAll();
      await telemetry.shutdown();
    }
  });
});
