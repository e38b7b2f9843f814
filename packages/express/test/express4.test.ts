import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { expect } from 'chai';
import express4 from 'express4';
import { captureErrors } from '../src/annotations.js';
import { inferenceTelemetry } from '../src/middleware.js';
import { captureRawBody } from '../src/payload/request-body.js';
import {
  ATTR_BATCH_SIZE,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_MODEL_NAME,
  ATTR_REQUEST_ID,
  RECORD_TYPE,
} from '../src/semconv.js';
import {
  IRIS_ANSWER,
  IRIS_BODY,
  globalOptions,
  post,
  useInMemoryTelemetry,
  useServers,
} from './in-memory-telemetry.js';

/** A V1 server on Express 4: `iris` answers, `broken` throws. */
function express4App(): express4.Express {
  const app = express4();
  // The middleware is typed against Express 5's types; at runtime it is the same (req, res, next).
  app.use(inferenceTelemetry(globalOptions()) as unknown as express4.RequestHandler);
  app.use(express4.json({ verify: captureRawBody }));
  app.post('/v1/models/:target', (req, res) => {
    if (req.params['target'] === 'broken:predict')
      throw Object.assign(new Error('weights missing'), { kind: 'ModelMissing' });
    res.json({ predictions: (req.body as { instances: unknown[] }).instances.map(() => 1) });
  });
  app.use(captureErrors() as unknown as express4.ErrorRequestHandler);
  app.use(((error: Error, _req, res, _next) => {
    res.status(500).json({ error: error.message });
  }) as express4.ErrorRequestHandler);
  return app;
}

describe('on Express 4', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  it('records a V1 predict call: span, request and response records', async () => {
    const url = await servers.start(express4App());
    const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY, { 'x-request-id': 'e4' });
    expect(answer).to.include({ status: 200, text: IRIS_ANSWER });
    expect(answer.headers.get('x-request-id')).to.equal('e4');
    const [span] = await telemetry.waitForSpans();
    expect(span.name).to.equal('predict iris');
    expect(span.kind).to.equal(SpanKind.SERVER);
    expect(span.attributes).to.include({
      [ATTR_MODEL_NAME]: 'iris',
      [ATTR_BATCH_SIZE]: 2,
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 200,
    });
    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(request.body).to.equal(IRIS_BODY);
    expect(response.body).to.equal(IRIS_ANSWER);
    for (const record of [request, response]) {
      expect(record.spanContext?.spanId).to.equal(span.spanContext().spanId);
      expect(record.attributes[ATTR_REQUEST_ID]).to.equal('e4');
    }
  });

  it('records a thrown error seen by captureErrors()', async () => {
    const url = await servers.start(express4App());
    expect((await post(`${url}/v1/models/broken:predict`, IRIS_BODY)).status).to.equal(500);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.severityNumber).to.equal(SeverityNumber.ERROR);
    expect(response.attributes).to.include({
      [ATTR_ERROR_TYPE]: 'ModelMissing',
      [ATTR_EXCEPTION_MESSAGE]: 'weights missing',
    });
    expect(telemetry.spans()[0].status.code).to.equal(SpanStatusCode.ERROR);
  });
});
