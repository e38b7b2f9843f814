import { request as httpRequest } from 'node:http';
import { INVALID_SPAN_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { expect } from 'chai';
import express from 'express';
import { hrTimeToMicroseconds, hrTimeToMilliseconds } from '@opentelemetry/core';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { parseJsonText } from '@inferlens/protocol';
import { annotateCall } from '../src/annotations.js';
import { inferenceTelemetry } from '../src/middleware.js';
import { captureRawBody } from '../src/payload/request-body.js';
import {
  ATTR_BATCH_SIZE,
  ATTR_DURATION,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_OPERATION,
  ATTR_PAYLOAD_SIZE,
  ATTR_PROTOCOL,
  ATTR_RECORD_TYPE,
  ATTR_REQUEST_ID,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  PROTOCOL,
  RECORD_TYPE,
} from '../src/semconv.js';
import type { InferenceTelemetryOptions } from '../src/types.js';
import {
  IRIS_ANSWER,
  IRIS_BODY,
  globalOptions,
  kserveApp,
  post,
  traceparent,
  useInMemoryTelemetry,
  useServers,
} from './in-memory-telemetry.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';
const MICROS_PER_SECOND = 1e6;

describe('what a predict call records', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();
  const serve = (options: InferenceTelemetryOptions = {}): Promise<string> =>
    servers.start(kserveApp(inferenceTelemetry(globalOptions(options))));

  /** Waits for the call's span and its request and response records. */
  async function oneCall(): Promise<{ request: ReadableLogRecord; response: ReadableLogRecord }> {
    await telemetry.waitForSpans();
    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    return { request: request, response: response };
  }

  describe('the span', () => {
    it('is a SERVER span named after operation and model, with the call attributes', async () => {
      const url = await serve();
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'req-1' });
      const [span] = await telemetry.waitForSpans();
      expect(span.name).to.equal('predict iris');
      expect(span.kind).to.equal(SpanKind.SERVER);
      expect(span.parentSpanContext).to.equal(undefined);
      expect(span.attributes).to.include({
        [ATTR_MODEL_NAME]: 'iris',
        [ATTR_PROTOCOL]: PROTOCOL.KSERVE_V1,
        [ATTR_OPERATION]: 'predict',
        [ATTR_REQUEST_ID]: 'req-1',
        [ATTR_BATCH_SIZE]: 2,
        [ATTR_HTTP_REQUEST_METHOD]: 'POST',
        [ATTR_HTTP_ROUTE]: '/v1/models/{model}:predict',
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: 200,
      });
    });

    it("lasts the call's measured duration, as the response record's inference.duration says, not whole milliseconds", async () => {
      const url = await serve();
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      const { response } = await oneCall();
      const [span] = telemetry.spans();
      const recorded = response.attributes[ATTR_DURATION] as number;
      expect(hrTimeToMicroseconds(span.duration) / MICROS_PER_SECOND).to.be.closeTo(recorded, 1e-6);
      expect(hrTimeToMicroseconds(span.endTime) - hrTimeToMicroseconds(span.startTime)).to.be.closeTo(
        recorded * MICROS_PER_SECOND,
        1,
      );
    });

    it('keeps the path the client asked for in url.path, mount prefix included, query left out', async () => {
      const app = express();
      app.use('/kserve', kserveApp(inferenceTelemetry(globalOptions())));
      const url = await servers.start(app);
      expect((await post(`${url}/kserve/v1/models/iris:predict?verbose=1`, IRIS_BODY)).status).to.equal(200);
      const [span] = await telemetry.waitForSpans();
      expect(span.attributes).to.include({
        [ATTR_URL_PATH]: '/kserve/v1/models/iris:predict',
        [ATTR_HTTP_ROUTE]: '/v1/models/{model}:predict',
      });
    });

    it("records url.scheme: the connection's, or X-Forwarded-Proto where the app trusts its proxy", async () => {
      const direct = await serve();
      await post(`${direct}/v1/models/iris:predict`, IRIS_BODY, { 'x-forwarded-proto': 'https' });
      const proxied = kserveApp(inferenceTelemetry(globalOptions()));
      proxied.set('trust proxy', true);
      await post(`${await servers.start(proxied)}/v1/models/iris:predict`, IRIS_BODY, { 'x-forwarded-proto': 'https' });
      const spans = await telemetry.waitForSpans(2);
      expect(spans.map((span) => span.attributes[ATTR_URL_SCHEME])).to.deep.equal(['http', 'https']);
    });

    it('names a V2 call `infer <model>` with its version and the first dimension of the first input as batch size', async () => {
      const url = await serve();
      const body = '{"inputs":[{"name":"x","shape":[3,4],"datatype":"FP32","data":[1,2,3,4,5,6,7,8,9,10,11,12]}]}';
      await post(`${url}/v2/models/iris/versions/2/infer`, body);
      const [span] = await telemetry.waitForSpans();
      expect(span.name).to.equal('infer iris');
      expect(span.attributes).to.include({ [ATTR_MODEL_VERSION]: '2', [ATTR_BATCH_SIZE]: 3 });
    });

    it('gives a V2 call no batch size when its first dimension is not a row count', async () => {
      const url = await serve();
      for (const dimension of ['-1', '2.5', '1e400', '"3"']) {
        await post(
          `${url}/v2/models/iris/infer`,
          `{"inputs":[{"name":"x","shape":[${dimension},4],"datatype":"FP32","data":[]}]}`,
        );
      }
      const spans = await telemetry.waitForSpans(4);
      expect(spans.map((span) => span.attributes[ATTR_BATCH_SIZE])).to.deep.equal([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    });

    it('is named after the operation alone when the model is named empty', async () => {
      const app = express();
      app.use(inferenceTelemetry(globalOptions()));
      app.use(express.json());
      app.post('/v1/models/:target', (_req, res) => res.status(404).json({ error: "model '' is not served" }));
      app.post('/openai/v1/embeddings', (_req, res) => {
        annotateCall(res, { embeddings: { inputTokens: 1, dimension: 2, truncatedInputs: 0, norms: [] } });
        res.json({ object: 'list', data: [] });
      });
      const url = await servers.start(app);
      await post(`${url}/v1/models/:predict`, IRIS_BODY);
      await post(`${url}/openai/v1/embeddings`, '{"model":"","input":"a"}');
      const spans = await telemetry.waitForSpans(2);
      expect(spans.map((span) => span.name).sort()).to.deep.equal(['embeddings', 'predict']);
    });

    it('counts the inputs of an OpenAI embeddings call as its batch size', async () => {
      const url = await serve();
      await post(`${url}/openai/v1/embeddings`, '{"model":"minilm","input":["a","b","c","d"]}');
      const [span] = await telemetry.waitForSpans();
      expect(span.attributes[ATTR_BATCH_SIZE]).to.equal(4);
    });

    // The inference server's body parser reads integers past 2^53 as bigints.
    it('counts an OpenAI array of token ids as one input, and records the body, when its first id is a bigint', async () => {
      const app = express();
      app.use(inferenceTelemetry(globalOptions()));
      app.use(express.text({ type: () => true }));
      app.post('/openai/v1/embeddings', (req, res) => {
        req.body = parseJsonText(req.body as string);
        res.status(400).json({ error: { message: 'no such token' } });
      });
      const url = await servers.start(app);
      const body = '{"model":"minilm","input":[9007199254740993,1,2]}';
      await post(`${url}/openai/v1/embeddings`, body);
      const [span] = await telemetry.waitForSpans();
      expect(span.attributes[ATTR_BATCH_SIZE]).to.equal(1);
      const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
      expect(request.body).to.equal(body);
    });
  });

  describe('the records', () => {
    it('share the trace id, span id and request id with the span', async () => {
      const url = await serve();
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'req-2' });
      const { request, response } = await oneCall();
      const { traceId, spanId } = telemetry.spans()[0].spanContext();
      for (const record of [request, response]) {
        expect(record.spanContext).to.include({ traceId, spanId });
        expect(record.attributes[ATTR_REQUEST_ID]).to.equal('req-2');
      }
    });

    it('carry the call identity, and leave the HTTP details to the span', async () => {
      const url = await serve();
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'req-3' });
      const { request, response } = await oneCall();
      for (const record of [request, response]) {
        expect(record.attributes).to.include({
          [ATTR_MODEL_NAME]: 'iris',
          [ATTR_PROTOCOL]: PROTOCOL.KSERVE_V1,
          [ATTR_OPERATION]: 'predict',
          [ATTR_REQUEST_ID]: 'req-3',
          [ATTR_BATCH_SIZE]: 2,
        });
        expect(record.attributes).to.not.have.any.keys(ATTR_HTTP_ROUTE, ATTR_HTTP_REQUEST_METHOD);
      }
      expect(telemetry.spans()[0].attributes).to.include({ [ATTR_HTTP_ROUTE]: '/v1/models/{model}:predict' });
    });

    it('are INFO, the request record stamped at arrival (the span start) and the response record at the answer', async () => {
      const url = await serve();
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      const { request, response } = await oneCall();
      const [span] = telemetry.spans();
      for (const record of [request, response]) {
        expect(record).to.include({ severityNumber: SeverityNumber.INFO, severityText: 'INFO' });
      }
      expect(hrTimeToMilliseconds(request.hrTime)).to.equal(hrTimeToMilliseconds(span.startTime));
      expect(hrTimeToMilliseconds(response.hrTime)).to.be.at.least(Math.floor(hrTimeToMilliseconds(span.endTime)));
    });

    it('carry the model version, as the path names it, on both records', async () => {
      const url = await serve();
      const body = '{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}';
      await post(`${url}/v2/models/iris/versions/2/infer`, body);
      const { request, response } = await oneCall();
      for (const record of [request, response]) expect(record.attributes).to.include({ [ATTR_MODEL_VERSION]: '2' });
    });

    it('carry the exact request and response bytes as bodies', async () => {
      const url = await serve();
      const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      expect(answer.text).to.equal(IRIS_ANSWER);
      const { request, response } = await oneCall();
      expect(request.body).to.equal(IRIS_BODY);
      expect(response.body).to.equal(IRIS_ANSWER);
      expect(request.attributes[ATTR_PAYLOAD_SIZE]).to.equal(Buffer.byteLength(IRIS_BODY));
      expect(response.attributes[ATTR_PAYLOAD_SIZE]).to.equal(Buffer.byteLength(IRIS_ANSWER));
      expect(response.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE]).to.equal(200);
    });
  });

  describe('the request id', () => {
    it('comes from x-request-id and is echoed', async () => {
      const url = await serve();
      const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'abc', 'ce-id': 'ce' });
      expect(answer.headers.get('x-request-id')).to.equal('abc');
      const { request } = await oneCall();
      expect(request.attributes[ATTR_REQUEST_ID]).to.equal('abc');
    });

    it('comes from ce-id when there is no x-request-id', async () => {
      const url = await serve();
      const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'ce-id': 'cloud-event-7' });
      expect(answer.headers.get('x-request-id')).to.equal('cloud-event-7');
      const { request, response } = await oneCall();
      expect(request.attributes[ATTR_REQUEST_ID]).to.equal('cloud-event-7');
      expect(response.attributes[ATTR_REQUEST_ID]).to.equal('cloud-event-7');
    });

    it('is a generated UUID otherwise, the same on the span, both records and the answer', async () => {
      const url = await serve();
      const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      const id = answer.headers.get('x-request-id');
      expect(id).to.match(UUID);
      const { request, response } = await oneCall();
      expect([telemetry.spans()[0].attributes[ATTR_REQUEST_ID], request.attributes[ATTR_REQUEST_ID]]).to.deep.equal([
        id,
        id,
      ]);
      expect(response.attributes[ATTR_REQUEST_ID]).to.equal(id);
    });

    it('takes the first of repeated x-request-id headers, skipping empty ones, rather than their joined values', async () => {
      const url = new URL(await serve());
      const echoed = await new Promise<string | string[] | undefined>((resolve, reject) => {
        const client = httpRequest(url, { method: 'POST', path: '/v1/models/iris:predict' }, (res) => {
          res.resume().on('end', () => resolve(res.headers['x-request-id']));
        });
        client.on('error', reject).setHeader('content-type', 'application/json');
        // Node joins these into one 'x-request-id' value, ', first, second'.
        client.setHeader('x-request-id', ['', 'first', 'second']);
        client.end(IRIS_BODY);
      });
      expect(echoed).to.equal('first');
      const { request } = await oneCall();
      expect(request.attributes[ATTR_REQUEST_ID]).to.equal('first');
    });

    it('treats an empty x-request-id as absent', async () => {
      const url = await serve();
      const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': '', 'ce-id': 'ce-1' });
      expect(answer.headers.get('x-request-id')).to.equal('ce-1');
      const { request } = await oneCall();
      expect(request.attributes[ATTR_REQUEST_ID]).to.equal('ce-1');
    });
  });

  describe('with two middleware instances recording the same call', () => {
    it('both carry the one request id the client got, and both see what the handler says about the call', async () => {
      // An app with an instance of its own, mounting a sub-app that has another.
      const app = express();
      app.use(inferenceTelemetry(globalOptions({ mode: 'response' })));
      app.use(
        kserveApp(inferenceTelemetry(globalOptions({ mode: 'response' })), {
          predict: (_req, res) => {
            annotateCall(res, { modelVersion: '7' });
            res.json({ predictions: [1] });
          },
        }),
      );
      const url = await servers.start(app);
      const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      const records = await telemetry.waitForRecords(2, RECORD_TYPE.RESPONSE);
      const id = answer.headers.get('x-request-id');
      expect(records.map((record) => record.attributes[ATTR_REQUEST_ID])).to.deep.equal([id, id]);
      const spans = await telemetry.waitForSpans(2);
      expect(spans.map((span) => span.attributes[ATTR_MODEL_VERSION])).to.deep.equal(['7', '7']);
    });
  });

  it('records a call once when it meets the same middleware twice (mounted on the app and on a router)', async () => {
    const middleware = inferenceTelemetry(globalOptions());
    const router = express.Router();
    router.use(middleware);
    router.post('/v1/models/:target', (_req, res) => void res.json({ predictions: [1] }));
    const app = express();
    app.use(middleware);
    app.use(express.json({ verify: captureRawBody }));
    app.use(router);
    const url = await servers.start(app);
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    await oneCall();
    // Both ends would have been recorded by the same 'close' event: the first span's arrival means a second was not.
    expect(telemetry.spans()).to.have.lengthOf(1);
    expect(telemetry.records().map((record) => record.attributes[ATTR_RECORD_TYPE])).to.deep.equal([
      RECORD_TYPE.REQUEST,
      RECORD_TYPE.RESPONSE,
    ]);
  });

  it('adds what each annotateCall says to what the earlier ones said, a later value winning', async () => {
    const url = await servers.start(
      kserveApp(inferenceTelemetry(globalOptions()), {
        predict: (_req, res) => {
          annotateCall(res, { modelVersion: '7', batchSize: 3 });
          annotateCall(res, { modelVersion: '8' });
          // As an error handler does once the handler has failed.
          annotateCall(res, { error: new TypeError('the scores were not numbers') });
          res.status(500).json({ error: 'the scores were not numbers' });
        },
      }),
    );
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const [span] = await telemetry.waitForSpans();
    expect(span.attributes).to.include({
      [ATTR_MODEL_VERSION]: '8',
      [ATTR_BATCH_SIZE]: 3,
      [ATTR_ERROR_TYPE]: 'TypeError',
    });
  });

  describe("continuing the caller's trace", () => {
    it('follows a W3C traceparent', async () => {
      const url = await serve();
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { traceparent: traceparent(TRACE_ID, PARENT_SPAN_ID) });
      const [span] = await telemetry.waitForSpans();
      expect(span.spanContext().traceId).to.equal(TRACE_ID);
      expect(span.parentSpanContext).to.include({ traceId: TRACE_ID, spanId: PARENT_SPAN_ID, isRemote: true });
      expect(span.kind).to.equal(SpanKind.SERVER);
      const { request } = await oneCall();
      expect(request.spanContext?.traceId).to.equal(TRACE_ID);
    });

    it('follows B3 multi headers', async () => {
      const url = await serve();
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY, {
        'x-b3-traceid': TRACE_ID,
        'x-b3-spanid': PARENT_SPAN_ID,
        'x-b3-sampled': '1',
      });
      const [span] = await telemetry.waitForSpans();
      expect(span.spanContext().traceId).to.equal(TRACE_ID);
      expect(span.parentSpanContext?.spanId).to.equal(PARENT_SPAN_ID);
    });

    it('follows W3C traceparent over B3 headers sent with it', async () => {
      const url = await serve();
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY, {
        traceparent: traceparent(TRACE_ID, PARENT_SPAN_ID),
        b3: `${'1'.repeat(32)}-${'2'.repeat(16)}-1`,
      });
      const [span] = await telemetry.waitForSpans();
      expect(span.spanContext().traceId).to.equal(TRACE_ID);
      expect(span.parentSpanContext?.spanId).to.equal(PARENT_SPAN_ID);
    });

    it('follows a B3 single header', async () => {
      const url = await serve();
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { b3: `${TRACE_ID}-${PARENT_SPAN_ID}-1` });
      const [span] = await telemetry.waitForSpans();
      expect(span.spanContext().traceId).to.equal(TRACE_ID);
      expect(span.parentSpanContext?.spanId).to.equal(PARENT_SPAN_ID);
    });
  });

  describe('under HTTP instrumentation', () => {
    before(() => void context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
    after(() => context.disable());

    it("makes the call's span an INTERNAL child of the active HTTP span", async () => {
      const app = express();
      // What @opentelemetry/instrumentation-http does: a SERVER span, active while the request is handled.
      app.use((_req, res, next) => {
        const http = trace.getTracer('http').startSpan('POST', { kind: SpanKind.SERVER });
        res.once('finish', () => http.end());
        context.with(trace.setSpan(context.active(), http), next);
      });
      app.use(kserveApp(inferenceTelemetry(globalOptions())));
      const url = await servers.start(app);
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      const spans = await telemetry.waitForSpans(2);
      const http = spans.find((span) => span.name === 'POST')!;
      const predict = spans.find((span) => span.name === 'predict iris')!;
      expect(predict.kind).to.equal(SpanKind.INTERNAL);
      expect(predict.parentSpanContext?.spanId).to.equal(http.spanContext().spanId);
      expect(predict.spanContext().traceId).to.equal(http.spanContext().traceId);
    });

    it("continues the caller's trace when the active span has no trace (instrumentation whose tracer is a no-op)", async () => {
      const app = express();
      // What the instrumentation makes active when the application's tracer provider is the API's no-op one.
      app.use((_req, _res, next) => {
        context.with(trace.setSpan(context.active(), trace.wrapSpanContext(INVALID_SPAN_CONTEXT)), next);
      });
      app.use(kserveApp(inferenceTelemetry(globalOptions())));
      const url = await servers.start(app);
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { traceparent: traceparent(TRACE_ID, PARENT_SPAN_ID) });
      const [span] = await telemetry.waitForSpans();
      expect(span.kind).to.equal(SpanKind.SERVER);
      expect(span.parentSpanContext).to.include({ traceId: TRACE_ID, spanId: PARENT_SPAN_ID });
    });
  });

  describe('header capture', () => {
    it('records allow-listed headers as string arrays on the request record and the span, and no others', async () => {
      const url = await serve({ captureHeaders: ['X-Tenant', 'user-agent'] });
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY, {
        'x-tenant': 'acme',
        'user-agent': 'probe/1',
        'x-secret-ish': 'nope',
      });
      const { request } = await oneCall();
      const span = telemetry.spans()[0];
      for (const attributes of [request.attributes, span.attributes]) {
        expect(attributes['http.request.header.x-tenant']).to.deep.equal(['acme']);
        expect(attributes['http.request.header.user-agent']).to.deep.equal(['probe/1']);
        expect(Object.keys(attributes).filter((key) => key.startsWith('http.request.header.'))).to.have.lengthOf(2);
      }
    });

    it('refuses credential headers at construction, naming them', () => {
      expect(() => inferenceTelemetry(globalOptions({ captureHeaders: ['Authorization'] })))
        .to.throw(TypeError, /captureHeaders/)
        .with.property('message')
        .that.matches(/authorization/i);
      for (const header of ['cookie', 'Set-Cookie', 'proxy-authorization']) {
        expect(() => inferenceTelemetry(globalOptions({ captureHeaders: ['x-tenant', header] })), header)
          .to.throw(TypeError, /captureHeaders/)
          .with.property('message')
          .that.includes(`(${header.toLowerCase()})`);
      }
    });
  });
});
