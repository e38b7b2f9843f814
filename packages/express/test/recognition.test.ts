import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { inferenceTelemetry } from '../src/middleware.js';
import {
  ATTR_HTTP_ROUTE,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_OPERATION,
  ATTR_PROTOCOL,
  ATTR_URL_PATH,
  PROTOCOL,
  RECORD_TYPE,
} from '../src/semconv.js';
import type { PredictMatcher } from '../src/types.js';
import {
  IRIS_BODY,
  get,
  globalOptions,
  kserveApp,
  post,
  useInMemoryTelemetry,
  useServers,
} from './in-memory-telemetry.js';

const V2_BODY = '{"inputs":[{"name":"x","shape":[3,4],"datatype":"FP32","data":[1,2,3,4,5,6,7,8,9,10,11,12]}]}';

describe('recognition of predict calls', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  async function serve(matcher?: PredictMatcher): Promise<string> {
    return servers.start(kserveApp(inferenceTelemetry(globalOptions(matcher === undefined ? {} : { matcher }))));
  }

  it('recognises KServe V1 :predict', async () => {
    const url = await serve();
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const [span] = await telemetry.waitForSpans();
    expect(span.name).to.equal('predict iris');
    expect(span.attributes).to.include({
      [ATTR_PROTOCOL]: PROTOCOL.KSERVE_V1,
      [ATTR_OPERATION]: 'predict',
      [ATTR_MODEL_NAME]: 'iris',
      [ATTR_HTTP_ROUTE]: '/v1/models/{model}:predict',
    });
  });

  it('recognises KServe V1 :explain', async () => {
    const url = await serve();
    await post(`${url}/v1/models/iris:explain`, IRIS_BODY);
    const [span] = await telemetry.waitForSpans();
    expect(span.name).to.equal('explain iris');
    expect(span.attributes).to.include({
      [ATTR_OPERATION]: 'explain',
      [ATTR_HTTP_ROUTE]: '/v1/models/{model}:explain',
    });
  });

  it('recognises Open Inference V2 infer without a version', async () => {
    const url = await serve();
    await post(`${url}/v2/models/iris/infer`, V2_BODY);
    const [span] = await telemetry.waitForSpans();
    expect(span.name).to.equal('infer iris');
    expect(span.attributes).to.include({
      [ATTR_PROTOCOL]: PROTOCOL.OPEN_INFERENCE_V2,
      [ATTR_OPERATION]: 'infer',
      [ATTR_MODEL_NAME]: 'iris',
      [ATTR_HTTP_ROUTE]: '/v2/models/{model}/infer',
    });
    expect(span.attributes).not.to.have.property(ATTR_MODEL_VERSION);
  });

  it('recognises Open Inference V2 infer with a version', async () => {
    const url = await serve();
    await post(`${url}/v2/models/iris/versions/3/infer`, V2_BODY);
    const [span] = await telemetry.waitForSpans();
    expect(span.name).to.equal('infer iris');
    expect(span.attributes).to.include({
      [ATTR_MODEL_NAME]: 'iris',
      [ATTR_MODEL_VERSION]: '3',
      [ATTR_HTTP_ROUTE]: '/v2/models/{model}/versions/{version}/infer',
    });
  });

  it('recognises OpenAI embeddings and names the span after the model in the body', async () => {
    const url = await serve();
    await post(`${url}/openai/v1/embeddings`, '{"model":"minilm","input":["a","b"]}');
    const [span] = await telemetry.waitForSpans();
    expect(span.name).to.equal('embeddings minilm');
    expect(span.attributes).to.include({
      [ATTR_PROTOCOL]: PROTOCOL.OPENAI,
      [ATTR_OPERATION]: 'embeddings',
      [ATTR_MODEL_NAME]: 'minilm',
    });
    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(request.attributes[ATTR_MODEL_NAME]).to.equal('minilm');
  });

  it('recognises the routes as Express answers them: any letter case, with or without a trailing slash', async () => {
    const url = await serve();
    const calls = [
      [`${url}/v1/models/Iris:PREDICT/`, IRIS_BODY],
      [`${url}/V2/Models/Iris/Versions/2/INFER/`, V2_BODY],
      [`${url}/OpenAI/v1/Embeddings/`, '{"model":"minilm","input":["a"]}'],
    ];
    for (const [target, body] of calls) expect((await post(target, body)).status, target).to.equal(200);
    const spans = await telemetry.waitForSpans(3);
    expect(
      spans.map((span) => [span.name, span.attributes[ATTR_HTTP_ROUTE], span.attributes[ATTR_MODEL_VERSION]]),
    ).to.deep.equal([
      ['predict Iris', '/v1/models/{model}:predict', undefined],
      ['infer Iris', '/v2/models/{model}/versions/{version}/infer', '2'],
      ['embeddings minilm', '/openai/v1/embeddings', undefined],
    ]);
  });

  it('recognises a V1 model whose name holds a colon, as Express routes `/v1/models/:model\\:predict`', async () => {
    const url = await serve();
    expect((await post(`${url}/v1/models/team:iris:predict`, IRIS_BODY)).status).to.equal(200);
    const [span] = await telemetry.waitForSpans();
    expect(span.name).to.equal('predict team:iris');
    expect(span.attributes[ATTR_HTTP_ROUTE]).to.equal('/v1/models/{model}:predict');
  });

  it('names models and versions percent-decoded, as Express decodes its params, and keeps a malformed escape as sent', async () => {
    const url = await serve();
    await post(`${url}/v1/models/my%20iris:predict`, IRIS_BODY);
    await post(`${url}/v2/models/my%20iris/versions/v%2F2/infer`, V2_BODY);
    await post(`${url}/v1/models/bad%E0%A4%A:predict`, IRIS_BODY);
    const spans = await telemetry.waitForSpans(3);
    expect(spans.map((span) => [span.attributes[ATTR_MODEL_NAME], span.attributes[ATTR_MODEL_VERSION]])).to.deep.equal([
      ['my iris', undefined],
      ['my iris', 'v/2'],
      ['bad%E0%A4%A', undefined],
    ]);
  });

  it('recognises a call whose target is in absolute form, as sent to a proxy, which Express routes by its path', async () => {
    const url = await serve();
    const { hostname, port } = new URL(url);
    const target = `${url}/v2/models/iris/infer?verbose=1`;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest({ hostname, port, method: 'POST', path: target }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      });
      request.on('error', reject);
      request.setHeader('content-type', 'application/json');
      request.end(V2_BODY);
    });
    expect(status).to.equal(200);
    const [span] = await telemetry.waitForSpans();
    expect(span.name).to.equal('infer iris');
    expect(span.attributes[ATTR_URL_PATH]).to.equal('/v2/models/iris/infer');
  });

  it('leaves model listings, unknown verbs, health checks and predict routes asked with GET alone', async () => {
    const url = await serve();
    expect((await get(`${url}/v1/models`)).status).to.equal(200);
    expect((await get(`${url}/v1/models/iris:predict`)).status).to.equal(404);
    expect((await post(`${url}/v1/models/irisXYZ`, IRIS_BODY)).status).to.equal(404);
    const health = await get(`${url}/healthz`);
    expect(health.status).to.equal(200);
    expect(health.headers.get('x-request-id')).to.equal(null);
    // A predict call afterwards: once its span is there, the earlier requests have finished too.
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await telemetry.waitForSpans();
    expect(telemetry.spans().map((span) => span.name)).to.deep.equal(['predict iris']);
    expect(telemetry.records().map((record) => record.attributes[ATTR_MODEL_NAME])).to.deep.equal(['iris', 'iris']);
  });

  it('uses a custom matcher instead of the default one', async () => {
    const matcher: PredictMatcher = (req) =>
      req.path === '/score'
        ? { operation: 'score', model: 'churn', protocol: PROTOCOL.KSERVE_V1, route: '/score' }
        : undefined;
    const app = kserveApp(inferenceTelemetry(globalOptions({ matcher })));
    app.post('/score', (_req, res) => void res.json({ score: 0.3 }));
    const url = await servers.start(app);
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await post(`${url}/score`, '{"x":1}');
    await telemetry.waitForSpans();
    expect(telemetry.spans().map((span) => span.name)).to.deep.equal(['score churn']);
    expect(telemetry.spans()[0].attributes[ATTR_HTTP_ROUTE]).to.equal('/score');
  });
});
