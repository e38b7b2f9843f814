import { request as httpRequest } from 'node:http';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { expect } from 'chai';
import express from 'express';
import { annotateCall } from '../src/annotations.js';
import { inferenceTelemetry } from '../src/middleware.js';
import {
  ATTR_BATCH_SIZE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_OUTCOME,
  ATTR_PAYLOAD_DIRECTION,
  ATTR_PAYLOAD_SIZE,
  ATTR_PAYLOAD_TRUNCATED,
  ATTR_PROTOCOL,
  METRIC_ACTIVE_REQUESTS,
  METRIC_BATCH_SIZE,
  METRIC_MODEL_EXECUTION_DURATION,
  METRIC_PAYLOAD_SIZE,
  METRIC_REQUEST_DURATION,
  OUTCOME,
  PROTOCOL,
  RECORD_TYPE,
} from '../src/semconv.js';
import type { PredictHandler } from './in-memory-telemetry.js';
import {
  IRIS_ANSWER,
  IRIS_BODY,
  globalOptions,
  kserveApp,
  pointsOf,
  post,
  postChunked,
  useInMemoryTelemetry,
  useServers,
} from './in-memory-telemetry.js';

/** Metrics are cumulative over the file: each test calls a model of its own. */
describe('metrics', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();
  const serve = (predict?: PredictHandler): Promise<string> =>
    servers.start(kserveApp(inferenceTelemetry(globalOptions()), predict === undefined ? {} : { predict }));

  async function histogram(name: string, attributes: Record<string, string | number>): Promise<Histogram[]> {
    return pointsOf<Histogram>(await telemetry.metric(name), attributes).map((point) => point.value);
  }

  it('records the duration of each call in seconds, by model, protocol and outcome', async () => {
    const url = await serve();
    for (let i = 0; i < 3; i++) await post(`${url}/v1/models/duration:predict`, IRIS_BODY);
    await telemetry.waitForSpans(3);
    const metric = await telemetry.metric(METRIC_REQUEST_DURATION);
    expect(metric!.descriptor.unit).to.equal('s');
    const points = pointsOf<Histogram>(metric, { [ATTR_MODEL_NAME]: 'duration' });
    expect(points).to.have.lengthOf(1);
    expect(points[0].attributes).to.deep.equal({
      [ATTR_MODEL_NAME]: 'duration',
      [ATTR_PROTOCOL]: PROTOCOL.KSERVE_V1,
      [ATTR_OUTCOME]: OUTCOME.SUCCESS,
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 200,
    });
    expect(points[0].value.count).to.equal(3);
    expect(points[0].value.min).to.be.greaterThan(0);
  });

  it('carries the model version of V2 calls', async () => {
    const url = await serve();
    await post(
      `${url}/v2/models/versioned/versions/7/infer`,
      '{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]}',
    );
    await telemetry.waitForSpans();
    const [point] = await histogram(METRIC_REQUEST_DURATION, {
      [ATTR_MODEL_NAME]: 'versioned',
      [ATTR_MODEL_VERSION]: '7',
    });
    expect(point.count).to.equal(1);
  });

  it('counts failed calls with outcome `error`, aborted ones included', async () => {
    let reached!: () => void;
    const url = await serve(async (_req, res, model) => {
      if (model === 'hang') {
        reached();
        await new Promise((resolve) => res.once('close', resolve));
      } else res.status(500).json({ error: 'model crashed' });
    });
    await post(`${url}/v1/models/errors:predict`, IRIS_BODY);
    await post(`${url}/v1/models/errors:predict`, IRIS_BODY);
    const handlerWaiting = new Promise<void>((resolve) => (reached = resolve));
    const client = httpRequest(`${url}/v1/models/hang:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    client.on('error', () => {});
    client.end(IRIS_BODY);
    await handlerWaiting;
    client.destroy();
    await telemetry.waitForSpans(3);
    const errors = await histogram(METRIC_REQUEST_DURATION, {
      [ATTR_MODEL_NAME]: 'errors',
      [ATTR_OUTCOME]: OUTCOME.ERROR,
    });
    expect(errors.map((point) => point.count)).to.deep.equal([2]);
    expect(await histogram(METRIC_REQUEST_DURATION, { [ATTR_MODEL_NAME]: 'errors', [ATTR_OUTCOME]: OUTCOME.SUCCESS }))
      .to.be.empty;
    const aborted = await histogram(METRIC_REQUEST_DURATION, {
      [ATTR_MODEL_NAME]: 'hang',
      [ATTR_OUTCOME]: OUTCOME.ERROR,
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 499,
    });
    expect(aborted.map((point) => point.count)).to.deep.equal([1]);
  });

  it('counts calls in progress, back to 0 once they end', async () => {
    let release!: () => void;
    let reached!: () => void;
    const handlerWaiting = new Promise<void>((resolve) => (reached = resolve));
    const url = await serve(async (_req, res) => {
      reached();
      await new Promise<void>((resolve) => (release = resolve));
      res.send(IRIS_ANSWER);
    });
    const active = async (): Promise<number | undefined> =>
      pointsOf<number>(await telemetry.metric(METRIC_ACTIVE_REQUESTS), { [ATTR_PROTOCOL]: PROTOCOL.KSERVE_V1 })[0]
        ?.value;
    const answer = post(`${url}/v1/models/active:predict`, IRIS_BODY);
    await handlerWaiting;
    expect(await active()).to.equal(1);
    release();
    expect((await answer).status).to.equal(200);
    await telemetry.waitForSpans();
    expect(await active()).to.equal(0);
  });

  it('records the batch size of each call', async () => {
    const url = await serve();
    await post(`${url}/v1/models/batch:predict`, IRIS_BODY);
    await post(`${url}/v1/models/batch:predict`, '{"instances":[[1,2,3,4],[1,2,3,4],[1,2,3,4]]}');
    await telemetry.waitForSpans(2);
    const [point] = await histogram(METRIC_BATCH_SIZE, { [ATTR_MODEL_NAME]: 'batch' });
    expect(point).to.include({ count: 2, sum: 5, min: 2, max: 3 });
  });

  it('records request and response payload sizes in bytes', async () => {
    const url = await serve();
    await post(`${url}/v1/models/sizes:predict`, IRIS_BODY);
    await telemetry.waitForSpans();
    const metric = await telemetry.metric(METRIC_PAYLOAD_SIZE);
    expect(metric!.descriptor.unit).to.equal('By');
    const sum = (direction: string): number[] =>
      pointsOf<Histogram>(metric, { [ATTR_MODEL_NAME]: 'sizes', [ATTR_PAYLOAD_DIRECTION]: direction }).map(
        (point) => point.value.sum!,
      );
    expect(sum('request')).to.deep.equal([Buffer.byteLength(IRIS_BODY)]);
    expect(sum('response')).to.deep.equal([Buffer.byteLength(IRIS_ANSWER)]);
  });

  it('sizes a chunked body no parser kept by its text on the record, and leaves it out of the request sizes', async () => {
    const app = express();
    app.use(inferenceTelemetry(globalOptions({ mode: 'request', maxPayloadBytes: 20 })));
    // A parser without captureRawBody: only the parsed body is left, and no Content-Length says the size.
    app.use(express.json());
    app.post('/v1/models/:target', (_req, res) => void res.json({ predictions: [1, 1] }));
    const url = new URL(await servers.start(app));
    await postChunked(url, '/v1/models/chunked:predict', IRIS_BODY);
    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    const text = JSON.stringify(JSON.parse(IRIS_BODY));
    expect(request.attributes).to.include({
      [ATTR_PAYLOAD_SIZE]: Buffer.byteLength(text),
      [ATTR_PAYLOAD_TRUNCATED]: true,
    });
    const sizes = (direction: string) =>
      histogram(METRIC_PAYLOAD_SIZE, { [ATTR_MODEL_NAME]: 'chunked', [ATTR_PAYLOAD_DIRECTION]: direction });
    expect(await sizes('request')).to.deep.equal([]);
    expect((await sizes('response')).map((point) => point.count)).to.deep.equal([1]);
  });

  it('records the model execution time the handler reports with annotateCall', async () => {
    const url = await serve((_req, res, model) => {
      if (model === 'timed') annotateCall(res, { modelExecutionSeconds: 0.25 });
      res.json({ predictions: [1] });
    });
    await post(`${url}/v1/models/timed:predict`, IRIS_BODY);
    await post(`${url}/v1/models/untimed:predict`, IRIS_BODY);
    await telemetry.waitForSpans(2);
    const metric = await telemetry.metric(METRIC_MODEL_EXECUTION_DURATION);
    expect(metric!.descriptor.unit).to.equal('s');
    const [timed] = pointsOf<Histogram>(metric, { [ATTR_MODEL_NAME]: 'timed' });
    expect(timed.value).to.include({ count: 1, sum: 0.25 });
    expect(pointsOf(metric, { [ATTR_MODEL_NAME]: 'untimed' })).to.be.empty;
  });

  it('takes the batch size and model version from annotateCall over the body', async () => {
    const url = await serve((_req, res) => {
      annotateCall(res, { batchSize: 64, modelVersion: '12' });
      res.json({ predictions: [1] });
    });
    await post(`${url}/v1/models/annotated:predict`, IRIS_BODY);
    const [span] = await telemetry.waitForSpans();
    expect(span.attributes).to.include({ [ATTR_BATCH_SIZE]: 64, [ATTR_MODEL_VERSION]: '12' });
    const [point] = await histogram(METRIC_BATCH_SIZE, { [ATTR_MODEL_NAME]: 'annotated', [ATTR_MODEL_VERSION]: '12' });
    expect(point).to.include({ count: 1, sum: 64 });
  });
});
