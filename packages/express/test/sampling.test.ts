import { createHash } from 'node:crypto';
import { INVALID_TRACEID, ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import { expect } from 'chai';
import { inferenceTelemetry } from '../src/middleware.js';
import { payloadSampler } from '../src/sampling.js';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import {
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_MODEL_NAME,
  ATTR_REQUEST_ID,
  METRIC_REQUEST_DURATION,
  RECORD_TYPE,
} from '../src/semconv.js';
import type { InferenceTelemetryOptions } from '../src/types.js';
import { sleep, until } from './export-helpers.js';
import {
  IRIS_BODY,
  globalOptions,
  kserveApp,
  pointsOf,
  post,
  traceparent,
  useInMemoryTelemetry,
  useGlobalLoggerOnly,
  useServers,
} from './in-memory-telemetry.js';

/** A trace id that is the same on every run. */
const traceIdOf = (seed: string): string => createHash('sha256').update(seed).digest('hex').slice(0, 32);
const PARENT_SPAN_ID = '00f067aa0ba902b7';

describe('payload sampling', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  /** `iris` answers at once, `slow` after 30 ms, `bad` with a 400. */
  const serve = (options: InferenceTelemetryOptions): Promise<string> =>
    servers.start(
      kserveApp(inferenceTelemetry(globalOptions(options)), {
        predict: async (_req, res, model) => {
          if (model === 'slow') await sleep(30);
          if (model === 'bad') res.status(400).json({ error: 'bad input' });
          else res.json({ predictions: [1] });
        },
      }),
    );

  const requestIdsWithRecords = (): unknown[] => [
    ...new Set(telemetry.records().map((record) => record.attributes[ATTR_REQUEST_ID])),
  ];

  it('at rate 0 drops the payload records of successful calls but keeps the span', async () => {
    const url = await serve({ payloadSampleRate: 0 });
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const [span] = await telemetry.waitForSpans();
    expect(span.name).to.equal('predict iris');
    expect(telemetry.records()).to.deep.equal([]);
  });

  it('at rate 0 keeps the payload records of failed calls', async () => {
    const url = await serve({ payloadSampleRate: 0 });
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'ok' });
    await post(`${url}/v1/models/bad:predict`, IRIS_BODY, { 'x-request-id': 'failed' });
    await telemetry.waitForSpans(2);
    expect(requestIdsWithRecords()).to.deep.equal(['failed']);
    expect(telemetry.records(RECORD_TYPE.REQUEST)).to.have.lengthOf(1);
    expect(telemetry.records(RECORD_TYPE.RESPONSE)).to.have.lengthOf(1);
  });

  it('at rate 0 keeps the payload records of calls slower than slowRequestThresholdMs', async () => {
    const url = await serve({ payloadSampleRate: 0, slowRequestThresholdMs: 10 });
    await post(`${url}/v1/models/slow:predict`, IRIS_BODY, { 'x-request-id': 'slow' });
    await telemetry.waitForSpans();
    await telemetry.waitForRecords(2);
    expect(requestIdsWithRecords()).to.deep.equal(['slow']);
  });

  it("at rate 0.5 keeps exactly the calls whose trace id OpenTelemetry's ratio sampler samples at 0.5", async () => {
    const url = await serve({ payloadSampleRate: 0.5 });
    const sampler = new TraceIdRatioBasedSampler(0.5);
    const traceIds = Array.from({ length: 40 }, (_, i) => traceIdOf(`call-${i}`));
    for (const traceId of traceIds) {
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { traceparent: traceparent(traceId, PARENT_SPAN_ID) });
    }
    await telemetry.waitForSpans(traceIds.length);
    const expected = traceIds.filter(
      (traceId) => sampler.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED,
    );
    // The chosen ids exercise both decisions.
    expect(expected.length).to.be.within(5, 35);
    const kept = telemetry.records(RECORD_TYPE.REQUEST).map((record) => record.spanContext!.traceId);
    expect(kept).to.deep.equal(expected);
    expect(telemetry.records(RECORD_TYPE.RESPONSE).map((record) => record.spanContext!.traceId)).to.deep.equal(
      expected,
    );
  });

  it("does not keep a successful call's payload when the caller's trace is not sampled", async () => {
    const url = await serve({ payloadSampleRate: 1 });
    const unsampled = traceIdOf('unsampled');
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY, {
      traceparent: traceparent(unsampled, PARENT_SPAN_ID, false),
      'x-request-id': 'unsampled',
    });
    // A sampled call afterwards: once its records are there, the first call has ended too.
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'sampled' });
    await telemetry.waitForRecords(2);
    expect(requestIdsWithRecords()).to.deep.equal(['sampled']);
    for (const record of telemetry.records()) {
      expect(record.spanContext!.traceFlags & TraceFlags.SAMPLED).to.equal(TraceFlags.SAMPLED);
    }
  });

  it('counts in the metrics the calls whose payload or trace is not sampled', async () => {
    const url = await serve({ payloadSampleRate: 0 });
    await post(`${url}/v1/models/unsampled:predict`, IRIS_BODY, {
      traceparent: traceparent(traceIdOf('unsampled metrics'), PARENT_SPAN_ID, false),
    });
    await post(`${url}/v1/models/unsampled:predict`, IRIS_BODY);
    await telemetry.waitForSpans();
    const [point] = pointsOf<Histogram>(await telemetry.metric(METRIC_REQUEST_DURATION), {
      [ATTR_MODEL_NAME]: 'unsampled',
    });
    expect(point?.value.count).to.equal(2);
    expect(telemetry.records()).to.deep.equal([]);
  });

  it("keeps a failed call's records when the application's sampler declined its trace, whose span is then not exported", async () => {
    const url = await serve({ payloadSampleRate: 1 });
    await post(`${url}/v1/models/bad:predict`, IRIS_BODY, {
      traceparent: traceparent(traceIdOf('declined failure'), PARENT_SPAN_ID, false),
      'x-request-id': 'declined',
    });
    const records = await telemetry.waitForRecords(2);
    expect(requestIdsWithRecords()).to.deep.equal(['declined']);
    for (const record of records) expect(record.spanContext!.traceFlags & TraceFlags.SAMPLED).to.equal(0);
    expect(telemetry.spans()).to.deep.equal([]);
  });
});

describe('payload sampling with no trace (global providers, the application registered no tracer provider)', () => {
  const servers = useServers();
  const exporter = useGlobalLoggerOnly();

  it("keeps a successful call's payload at rate 1, though no span is sampled", async () => {
    const url = await servers.start(kserveApp(inferenceTelemetry(globalOptions({ payloadSampleRate: 1 }))));
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'untraced' });
    await until(() => exporter.getFinishedLogRecords().length >= 2, 'the request and response records');
    expect(exporter.getFinishedLogRecords().map((record) => record.attributes[ATTR_REQUEST_ID])).to.deep.equal([
      'untraced',
      'untraced',
    ]);
  });

  it('keeps about the rate of the calls, having no trace id to decide from', () => {
    const CALLS = 2000;
    const sample = payloadSampler(0.5);
    let kept = 0;
    for (let call = 0; call < CALLS; call += 1) if (sample(INVALID_TRACEID)) kept += 1;
    // Each call is kept with probability 0.5: outside 40..60 % once in about 10^19 runs.
    expect(kept).to.be.within(CALLS * 0.4, CALLS * 0.6);
    expect(payloadSampler(0)(INVALID_TRACEID)).to.equal(false);
  });
});

describe("an application's sampler", () => {
  /** Keeps the calls that failed, as it can tell from the attributes it is asked with; drops the others. */
  const failedCallsOnly: Sampler = {
    shouldSample: (_context, _traceId, _name, _kind, attributes) => ({
      decision:
        Number(attributes[ATTR_HTTP_RESPONSE_STATUS_CODE]) >= 400
          ? SamplingDecision.RECORD_AND_SAMPLED
          : SamplingDecision.NOT_RECORD,
    }),
    toString: () => 'failedCallsOnly',
  };
  const telemetry = useInMemoryTelemetry({ sampler: failedCallsOnly });
  const servers = useServers();

  it("is asked with every attribute of the call, its status included: it can keep failed calls' traces only", async () => {
    const url = await servers.start(
      kserveApp(inferenceTelemetry(globalOptions()), {
        predict: (_req, res, model) => {
          if (model === 'bad') res.status(400).json({ error: 'bad input' });
          else res.json({ predictions: [1] });
        },
      }),
    );
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'ok' });
    await post(`${url}/v1/models/bad:predict`, IRIS_BODY, { 'x-request-id': 'failed' });
    const [span] = await telemetry.waitForSpans(1);
    expect(span.attributes).to.include({ [ATTR_REQUEST_ID]: 'failed', [ATTR_MODEL_NAME]: 'bad' });
    await telemetry.waitForRecords(2);
    // The call the sampler dropped was not sampled, so its payloads were not kept either.
    expect(telemetry.spans()).to.have.lengthOf(1);
    expect(telemetry.records().map((record) => record.attributes[ATTR_REQUEST_ID])).to.deep.equal(['failed', 'failed']);
  });
});
