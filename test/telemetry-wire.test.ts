/**
 * The inference server's predict-call telemetry over the real wire: the server
 * (`startServer` on the demo repository) exports to a real OTLP/HTTP receiver,
 * in each encoding and compression, and what arrives is what docs/telemetry.md
 * promises.
 */
import { expect } from 'chai';
import type { PredictMatcher } from '../packages/express/src/index.js';
import { defaultMatcher } from '../packages/express/src/index.js';
import type { InferenceServer } from '../packages/server/src/index.js';
import type { ReceivedLogRecord, ReceivedMetric, ReceivedSpan } from './support/otlp-model.js';
import { OTLP_SPAN_KIND, recordOfCall, recordsOfCall, spanOfCall, spansOfCall } from './support/otlp-model.js';
import type { OtlpReceiver } from './support/otlp-receiver.js';
import { useOtlpReceiver } from './support/use-otlp-receiver.js';
import { DEMO_REPOSITORY, serveRepository } from './support/server.js';
import { IRIS_V1_BODY, IRIS_V2_BAD_SHAPE } from './support/iris-calls.js';

/** OTLP SeverityNumber values. */
const SEVERITY = { INFO: 9, ERROR: 17 } as const;
/** OTLP status code of an error span. */
const STATUS_ERROR = 2;

const SIGNAL_PATHS = ['/v1/logs', '/v1/traces', '/v1/metrics'] as const;
/** RFC 1952: a gzip member's XFL byte, 4 when the compressor used its fastest algorithm (zlib's level 1). */
const GZIP_XFL_OFFSET = 8;
const GZIP_XFL_FASTEST = 4;

interface Transport {
  readonly protocol: 'http/json' | 'http/protobuf';
  readonly compression: 'gzip' | 'none';
  readonly contentType: string;
}

const TRANSPORTS: readonly Transport[] = [
  { protocol: 'http/json', compression: 'gzip', contentType: 'application/json' },
  { protocol: 'http/json', compression: 'none', contentType: 'application/json' },
  { protocol: 'http/protobuf', compression: 'gzip', contentType: 'application/x-protobuf' },
  { protocol: 'http/protobuf', compression: 'none', contentType: 'application/x-protobuf' },
];

/** One call as the client saw it. */
interface Call {
  readonly requestId: string;
  readonly sent: string;
  readonly status: number;
  /** The answer's bytes, as received. */
  readonly answer: Buffer;
  /** The `x-request-id` the server echoed. */
  readonly echoedId: string | null;
}

async function call(url: string, body: string, headers: Record<string, string>): Promise<Call> {
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const answer = Buffer.from(await response.arrayBuffer());
  return {
    requestId: headers['x-request-id'] ?? '',
    sent: body,
    status: response.status,
    answer,
    echoedId: response.headers.get('x-request-id'),
  };
}

const recordsOf = (receiver: OtlpReceiver, requestId: string): ReceivedLogRecord[] =>
  recordsOfCall(receiver.logRecords(), requestId);
const recordOf = (receiver: OtlpReceiver, requestId: string, type: 'request' | 'response'): ReceivedLogRecord =>
  recordOfCall(receiver.logRecords(), requestId, type);
const spanOf = (receiver: OtlpReceiver, requestId: string): ReceivedSpan => spanOfCall(receiver.spans(), requestId);

/** The last export of a metric: metrics are cumulative, so it holds every call. */
function lastMetric(receiver: OtlpReceiver, name: string): ReceivedMetric | undefined {
  return receiver
    .metrics()
    .filter((metric) => metric.name === name)
    .at(-1);
}

/** The media type of a content type, parameters dropped. */
function mediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

describe('telemetry over the wire: the server exports OTLP/HTTP', function () {
  this.timeout(30_000);

  for (const transport of TRANSPORTS) {
    const { protocol, compression } = transport;

    describe(`${protocol}, compression ${compression}`, () => {
      const tag = `${protocol.replace('http/', '')}-${compression}`;
      /** A remote parent the client sends in `traceparent`. */
      const parentTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const parentSpanId = '00f067aa0ba902b7';
      let server: InferenceServer | undefined;
      let predict: Call;
      let infer: Call;
      let traced: Call;

      after(() => server?.close());
      // After the server's hook: its shutdown's last export finds the receiver still open.
      const receiver = useOtlpReceiver();
      before(async () => {
        server = await serveRepository(DEMO_REPOSITORY, {
          telemetry: {
            otlp: { endpoint: receiver().url, protocol, compression, metricExportIntervalMillis: 200 },
            queue: { scheduledDelayMillis: 20 },
            fileSink: { enabled: false },
          },
        });
        predict = await call(`${server.url}/v1/models/iris:predict`, IRIS_V1_BODY, { 'x-request-id': `v1-${tag}` });
        infer = await call(`${server.url}/v2/models/iris/infer`, IRIS_V2_BAD_SHAPE, { 'x-request-id': `v2-${tag}` });
        traced = await call(`${server.url}/v1/models/iris:predict`, IRIS_V1_BODY, {
          'x-request-id': `traced-${tag}`,
          traceparent: `00-${parentTraceId}-${parentSpanId}-01`,
        });
        await receiver().waitFor((r) =>
          [predict, infer, traced].every(
            (c) =>
              recordsOf(r, c.requestId).length === 2 &&
              r.spans().some((span) => span.attributes['inference.request.id'] === c.requestId),
          ),
        );
        // Metrics are cumulative: wait for an export that holds all three calls.
        await receiver().waitFor((r) => {
          const points = lastMetric(r, 'inference.server.request.duration')?.dataPoints ?? [];
          const count = (outcome: string): number | undefined =>
            points.find((point) => point.attributes['inference.outcome'] === outcome)?.count;
          return count('success') === 2 && count('error') === 1;
        });
        await receiver().waitFor((r) => lastMetric(r, 'inference.model.execution.duration') !== undefined);
      });

      it('the calls themselves are answered as without telemetry, and the request id is echoed', () => {
        expect(predict.status).to.equal(200);
        expect(JSON.parse(predict.answer.toString('utf8'))).to.deep.equal({ predictions: [1, 1] });
        expect(predict.echoedId).to.equal(predict.requestId);
        expect(infer.status).to.equal(400);
        expect(infer.echoedId).to.equal(infer.requestId);
      });

      it('the request record body is exactly the bytes sent', () => {
        for (const c of [predict, infer]) {
          const record = recordOf(receiver(), c.requestId, 'request');
          expect(record.body).to.be.a('string');
          expect(Buffer.from(record.body as string, 'utf8').equals(Buffer.from(c.sent, 'utf8'))).to.equal(
            true,
            `request record body ${JSON.stringify(record.body)} is not the request ${JSON.stringify(c.sent)}`,
          );
          expect(record.severityText).to.equal('INFO');
          expect(record.severityNumber).to.equal(SEVERITY.INFO);
          expect(record.attributes['inference.payload.size']).to.equal(Buffer.byteLength(c.sent));
        }
      });

      it("the response record body is exactly the answer's bytes", () => {
        for (const c of [predict, infer]) {
          const record = recordOf(receiver(), c.requestId, 'response');
          expect(record.body).to.be.a('string');
          expect(Buffer.from(record.body as string, 'utf8').equals(c.answer)).to.equal(
            true,
            `response record body ${JSON.stringify(record.body)} is not the answer ${JSON.stringify(c.answer.toString())}`,
          );
          expect(record.attributes['http.response.status_code']).to.equal(c.status);
          expect(record.attributes['inference.payload.size']).to.equal(c.answer.byteLength);
        }
      });

      it('both records and the span share trace id, span id and inference.request.id', () => {
        for (const c of [predict, infer, traced]) {
          const span = spanOf(receiver(), c.requestId);
          expect(span.traceId).to.match(/^[0-9a-f]{32}$/);
          expect(span.spanId).to.match(/^[0-9a-f]{16}$/);
          for (const type of ['request', 'response'] as const) {
            const record = recordOf(receiver(), c.requestId, type);
            expect(record.traceId, `${type} record of ${c.requestId}`).to.equal(span.traceId);
            expect(record.spanId, `${type} record of ${c.requestId}`).to.equal(span.spanId);
            expect(record.attributes['inference.request.id']).to.equal(c.requestId);
          }
        }
        // Each call is a trace of its own.
        expect(spanOf(receiver(), predict.requestId).traceId).to.not.equal(spanOf(receiver(), infer.requestId).traceId);
      });

      it("the failed call's response record is ERROR, with status 400, error.type INVALID_INPUT and the server's message", () => {
        const message = (JSON.parse(infer.answer.toString('utf8')) as { error: string }).error;
        expect(message).to.equal("input 'input': expected shape [-1, 4], got [2, 3]");
        const record = recordOf(receiver(), infer.requestId, 'response');
        expect(record.severityText).to.equal('ERROR');
        expect(record.severityNumber).to.equal(SEVERITY.ERROR);
        expect(record.attributes['http.response.status_code']).to.equal(400);
        expect(record.attributes['error.type']).to.equal('INVALID_INPUT');
        expect(record.attributes['exception.message']).to.equal(message);
        const span = spanOf(receiver(), infer.requestId);
        expect(span.status).to.deep.equal({ code: STATUS_ERROR, message });
        expect(span.attributes['error.type']).to.equal('INVALID_INPUT');
        expect(span.attributes['http.response.status_code']).to.equal(400);
        // The successful call's response record is INFO.
        expect(recordOf(receiver(), predict.requestId, 'response').severityText).to.equal('INFO');
      });

      it('spans are named predict iris / infer iris and the V1 call carries version 1 and batch size 2', () => {
        const v1 = spanOf(receiver(), predict.requestId);
        expect(v1.name).to.equal('predict iris');
        expect(v1.kind).to.equal(OTLP_SPAN_KIND.SERVER);
        expect(v1.attributes).to.include({
          'inference.model.name': 'iris',
          'inference.model.version': '1',
          'inference.batch.size': 2,
          'inference.protocol': 'kserve-v1',
          'inference.operation': 'predict',
          'http.request.method': 'POST',
          'http.route': '/v1/models/{model}:predict',
          'url.path': '/v1/models/iris:predict',
          'http.response.status_code': 200,
        });
        for (const type of ['request', 'response'] as const) {
          expect(recordOf(receiver(), predict.requestId, type).attributes).to.include({
            'inference.model.version': '1',
            'inference.batch.size': 2,
          });
        }
        const v2 = spanOf(receiver(), infer.requestId);
        expect(v2.name).to.equal('infer iris');
        expect(v2.attributes).to.include({
          'inference.model.name': 'iris',
          'inference.protocol': 'open-inference-v2',
          'inference.operation': 'infer',
          'http.route': '/v2/models/{model}/infer',
        });
      });

      it('metrics: request duration in seconds with success and error points, and model execution duration', () => {
        const duration = lastMetric(receiver(), 'inference.server.request.duration')!;
        expect(duration.unit).to.equal('s');
        expect(duration.type).to.equal('histogram');
        const success = duration.dataPoints.find((point) => point.attributes['inference.outcome'] === 'success');
        const error = duration.dataPoints.find((point) => point.attributes['inference.outcome'] === 'error');
        expect(success?.attributes).to.include({
          'inference.model.name': 'iris',
          'inference.protocol': 'kserve-v1',
          'http.response.status_code': 200,
        });
        expect(success?.count).to.equal(2);
        expect(error?.attributes).to.include({
          'inference.model.name': 'iris',
          'inference.protocol': 'open-inference-v2',
          'http.response.status_code': 400,
        });
        expect(error?.count).to.equal(1);
        const execution = lastMetric(receiver(), 'inference.model.execution.duration')!;
        expect(execution.unit).to.equal('s');
        expect(execution.dataPoints.length).to.be.greaterThan(0);
        expect(execution.dataPoints.every((point) => (point.sum ?? 0) > 0)).to.equal(true);
      });

      it(`logs, traces and metrics are posted as ${transport.contentType}, gzip-encoded exactly when compression is gzip`, () => {
        const requests = receiver().requests();
        for (const path of SIGNAL_PATHS) {
          const sent = requests.filter((request) => request.path === path);
          expect(sent, `requests to ${path}`).to.not.be.empty;
          for (const request of sent) {
            expect(request.method).to.equal('POST');
            expect(mediaType(request.contentType), `content-type to ${path}`).to.equal(transport.contentType);
            expect(request.error, `decoding a request to ${path}`).to.equal(undefined);
            expect(request.accepted).to.equal(true);
            if (compression === 'gzip') {
              expect(request.contentEncoding, `content-encoding to ${path}`).to.equal('gzip');
              expect(request.compressedBytes, `gzip size to ${path}`).to.be.lessThan(request.decodedBytes);
            } else {
              expect(request.contentEncoding, `content-encoding to ${path}`).to.equal(undefined);
              expect(request.compressedBytes).to.equal(request.decodedBytes);
            }
          }
        }
        expect(requests.every((request) => request.signal !== undefined)).to.equal(true);
      });

      if (protocol === 'http/protobuf' && compression === 'gzip')
        it('protobuf logs and spans are gzipped at the fastest level', () => {
          for (const path of ['/v1/logs', '/v1/traces']) {
            const sent = receiver()
              .requests()
              .filter((request) => request.path === path);
            expect(sent, `requests to ${path}`).to.not.be.empty;
            for (const request of sent)
              expect(request.rawBody[GZIP_XFL_OFFSET], `gzip XFL to ${path}`).to.equal(GZIP_XFL_FASTEST);
          }
        });

      it('a traceparent sent by the client is continued', () => {
        expect(traced.status).to.equal(200);
        const span = spanOf(receiver(), traced.requestId);
        expect(span.traceId).to.equal(parentTraceId);
        expect(span.parentSpanId).to.equal(parentSpanId);
        expect(span.spanId).to.not.equal(parentSpanId);
        expect(span.kind).to.equal(OTLP_SPAN_KIND.SERVER);
        for (const type of ['request', 'response'] as const) {
          expect(recordOf(receiver(), traced.requestId, type).traceId).to.equal(parentTraceId);
        }
        // Without a traceparent, the span is a root.
        expect(spanOf(receiver(), predict.requestId).parentSpanId).to.equal('');
      });
    });
  }

  describe('a binary-extension infer call (application/octet-stream)', () => {
    let server: InferenceServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });
    const receiver = useOtlpReceiver();

    it('binary tensor data: the records hold the JSON parts, the sizes count every byte', async () => {
      server = await serveRepository(DEMO_REPOSITORY, {
        telemetry: {
          otlp: { endpoint: receiver().url, protocol: 'http/protobuf', compression: 'none' },
          queue: { scheduledDelayMillis: 20 },
          fileSink: { enabled: false },
        },
      });
      const header = Buffer.from(
        JSON.stringify({
          inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } }],
          parameters: { binary_data_output: true },
        }),
      );
      const tensor = Buffer.from(new Float32Array([6.8, 2.8, 4.8, 1.4]).buffer);
      const sent = Buffer.concat([header, tensor]);
      const response = await fetch(`${server.url}/v2/models/iris/infer`, {
        method: 'POST',
        body: sent,
        headers: {
          'content-type': 'application/octet-stream',
          'inference-header-content-length': String(header.byteLength),
          'x-request-id': 'binary-1',
        },
      });
      expect(response.status).to.equal(200);
      const answerHeaderLength = Number(response.headers.get('inference-header-content-length'));
      const answer = Buffer.from(await response.arrayBuffer());
      await receiver().waitFor((r) => recordsOf(r, 'binary-1').length === 2);
      const request = recordOf(receiver(), 'binary-1', 'request');
      expect(request.body).to.equal(header.toString('utf8'));
      expect(request.attributes['inference.payload.size']).to.equal(sent.byteLength);
      const reply = recordOf(receiver(), 'binary-1', 'response');
      expect(reply.body).to.equal(answer.subarray(0, answerHeaderLength).toString('utf8'));
      expect(JSON.parse(reply.body as string).outputs[0].parameters.binary_data_size).to.be.a('number');
      expect(reply.attributes['inference.payload.size']).to.equal(answer.byteLength);
    });
  });
});

describe('a custom matcher on the server', function () {
  this.timeout(30_000);
  let server: InferenceServer | undefined;
  after(() => server?.close());
  const receiver = useOtlpReceiver();

  /** The demo models, their telemetry chosen by `matcher` and sent to the receiver as soon as it is made. */
  const serveWithMatcher = (matcher: PredictMatcher): Promise<InferenceServer> =>
    serveRepository(DEMO_REPOSITORY, {
      telemetry: {
        otlp: { endpoint: receiver().url, protocol: 'http/json', compression: 'none' },
        queue: { scheduledDelayMillis: 20 },
        fileSink: { enabled: false },
        matcher,
      },
    });

  it('decides what is recorded on the predict routes too, and each recorded call is recorded once', async () => {
    // Records V2 calls only: V1 predict calls are still answered, unrecorded.
    const matcher: PredictMatcher = (req) => {
      const matched = defaultMatcher(req);
      return matched?.protocol === 'open-inference-v2' ? matched : undefined;
    };
    server = await serveWithMatcher(matcher);
    const v1 = await call(`${server.url}/v1/models/iris:predict`, IRIS_V1_BODY, { 'x-request-id': 'matcher-v1' });
    const v2 = await call(`${server.url}/v2/models/iris/infer`, IRIS_V2_BAD_SHAPE, { 'x-request-id': 'matcher-v2' });
    expect([v1.status, v2.status]).to.deep.equal([200, 400]);
    await receiver().waitFor((r) => recordsOf(r, 'matcher-v2').length === 2 && r.spans().length > 0);
    expect(spanOf(receiver(), 'matcher-v2').name).to.equal('infer iris');
    // Exported in the order made: the V1 call's records would be here by now.
    expect(recordsOf(receiver(), 'matcher-v1')).to.have.length(0);
    expect(spansOfCall(receiver().spans(), 'matcher-v1')).to.have.length(0);
    expect(v1.echoedId, 'unrecorded calls get no request id header from the telemetry').to.equal(null);
  });

  it('hands the matcher the Express request it is typed for, on the predict routes too', async () => {
    // Written for Express: `req.get()` and `req.path`, which a bare node request lacks.
    const matcher: PredictMatcher = (req) =>
      req.get('x-record') === 'yes' && req.path.startsWith('/v2/') ? defaultMatcher(req) : undefined;
    const express = await serveWithMatcher(matcher);
    try {
      const headers = { 'x-request-id': 'express-matcher', 'x-record': 'yes' };
      const v2 = await call(`${express.url}/v2/models/iris/infer`, IRIS_V2_BAD_SHAPE, headers);
      expect(v2.status).to.equal(400);
      await receiver().waitFor((r) => recordsOf(r, 'express-matcher').length === 2);
      expect(spanOf(receiver(), 'express-matcher').name).to.equal('infer iris');
    } finally {
      await express.close();
    }
  });

  it('answers every call when the matcher throws: routing never runs it, and the telemetry keeps the fault to itself', async () => {
    const throwing = await serveRepository(DEMO_REPOSITORY, {
      telemetry: {
        fileSink: { enabled: false },
        matcher: () => {
          throw new Error('a matcher written for Express routes');
        },
      },
    });
    try {
      const v1 = await call(`${throwing.url}/v1/models/iris:predict`, IRIS_V1_BODY, { 'x-request-id': 'throwing-v1' });
      expect(v1.status).to.equal(200);
      expect(JSON.parse(v1.answer.toString())).to.have.property('predictions').with.length(2);
    } finally {
      await throwing.close();
    }
  });
});
