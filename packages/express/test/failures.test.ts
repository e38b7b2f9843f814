import type { ClientRequest } from 'node:http';
import { request as httpRequest } from 'node:http';
import { SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import type { LogRecordExporter, LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { expect } from 'chai';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { annotateCall, captureErrors } from '../src/annotations.js';
import { MAX_ERROR_TEXT_LENGTH } from '../src/attribute-value.js';
import { inferenceTelemetry } from '../src/middleware.js';
import { monitor } from '../src/monitor.js';
import { INFERENCE_HEADER_CONTENT_LENGTH } from '@inferlens/protocol';
import { captureRawBody } from '../src/payload/request-body.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_MODEL_NAME,
  ATTR_MONITOR_NAME,
  ATTR_RECORD_TYPE,
  ERROR_TYPE_ABORTED,
  METRIC_ACTIVE_REQUESTS,
  METRIC_REQUEST_DURATION,
  RECORD_TYPE,
} from '../src/semconv.js';
import type { InMemoryTelemetry, PredictHandler } from './in-memory-telemetry.js';
import {
  IRIS_ANSWER,
  IRIS_BODY,
  globalOptions,
  kserveApp,
  pointsOf,
  post,
  useInMemoryTelemetry,
  useRecordedWarnings,
  useServers,
} from './in-memory-telemetry.js';

class ModelError extends Error {
  constructor(
    message: string,
    readonly kind: string,
  ) {
    super(message);
  }
}

describe('failed calls', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();
  const serve = (predict: PredictHandler): Promise<string> =>
    servers.start(kserveApp(inferenceTelemetry(globalOptions()), { predict }));

  for (const [status, message] of [
    [400, 'instances must be a list'],
    [500, 'model crashed'],
  ] as const) {
    it(`records a ${status} answer as an ERROR response with its error text`, async () => {
      const url = await serve((_req, res) => void res.status(status).json({ error: message }));
      expect((await post(`${url}/v1/models/iris:predict`, IRIS_BODY)).status).to.equal(status);
      const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
      expect(response.severityNumber).to.equal(SeverityNumber.ERROR);
      expect(response.severityText).to.equal('ERROR');
      expect(response.attributes).to.include({
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
        [ATTR_ERROR_TYPE]: String(status),
        [ATTR_EXCEPTION_MESSAGE]: message,
      });
      const [span] = telemetry.spans();
      expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message });
      expect(span.attributes).to.include({
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
        [ATTR_ERROR_TYPE]: String(status),
      });
    });
  }

  it('records a successful call at INFO with no error attributes', async () => {
    const url = await serve((_req, res) => void res.json({ predictions: [1] }));
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.severityNumber).to.equal(SeverityNumber.INFO);
    expect(response.attributes).not.to.have.any.keys(ATTR_ERROR_TYPE, ATTR_EXCEPTION_MESSAGE);
    expect(telemetry.spans()[0].status.code).to.equal(SpanStatusCode.UNSET);
  });

  it("reads the message of OpenAI's `{error: {message}}` answers", async () => {
    const app = express();
    app.use(inferenceTelemetry(globalOptions()));
    app.use(express.json({ verify: captureRawBody }));
    app.post('/openai/v1/embeddings', (_req, res) => {
      res.status(429).json({ error: { message: 'Rate limit reached', type: 'rate_limit_exceeded' } });
    });
    const url = await servers.start(app);
    await post(`${url}/openai/v1/embeddings`, '{"model":"minilm","input":["a"]}');
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.attributes).to.include({
      [ATTR_ERROR_TYPE]: '429',
      [ATTR_EXCEPTION_MESSAGE]: 'Rate limit reached',
    });
    expect(telemetry.spans()[0].name).to.equal('embeddings minilm');
  });

  it('records a body the JSON parser refused: the raw bytes, and the parser error', async () => {
    const url = await serve(() => {
      throw new Error('not reached');
    });
    const answer = await post(`${url}/v1/models/iris:predict`, '{"instances": [1,');
    expect(answer.status).to.equal(400);
    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(request.body).to.equal('{"instances": [1,');
    expect(response.attributes).to.include({
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 400,
      [ATTR_ERROR_TYPE]: 'SyntaxError',
      [ATTR_EXCEPTION_MESSAGE]: JSON.parse(answer.text).error,
    });
  });

  it("reads a failed binary-extension answer's message from its JSON part", async () => {
    const json = JSON.stringify({ error: 'output tensor could not be written' });
    const url = await serve((_req, res) => {
      res.status(500).setHeader(INFERENCE_HEADER_CONTENT_LENGTH, Buffer.byteLength(json));
      res.end(Buffer.concat([Buffer.from(json), Buffer.from([0, 1, 2, 3])]));
    });
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.body).to.equal(json);
    expect(response.attributes[ATTR_EXCEPTION_MESSAGE]).to.equal('output tensor could not be written');
  });

  it('keeps the error text of an answer longer than maxPayloadBytes', async () => {
    const app = kserveApp(inferenceTelemetry(globalOptions({ maxPayloadBytes: 16 })), {
      predict: (_req, res) => void res.status(500).json({ error: 'the model crashed badly' }),
    });
    const url = await servers.start(app);
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.attributes[ATTR_EXCEPTION_MESSAGE]).to.equal('the model crashed badly');
    expect(telemetry.spans()[0].status.message).to.equal('the model crashed badly');
  });

  describe('an error thrown in the handler, seen by captureErrors()', () => {
    // The last column is the exception event's type, as the SDK reads it: the error's code, else its name.
    const cases: [string, Error, string, string][] = [
      ['kind', new ModelError('tensor shape mismatch', 'InvalidInput'), 'InvalidInput', 'Error'],
      ['code', Object.assign(new Error('model not loaded'), { code: 'ENOTREADY' }), 'ENOTREADY', 'ENOTREADY'],
      ['name', new RangeError('batch too large'), 'RangeError', 'RangeError'],
    ];
    for (const [field, error, type, exceptionType] of cases) {
      it(`uses the error's ${field} as error.type and its message`, async () => {
        const url = await serve(() => {
          throw error;
        });
        const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
        expect(answer).to.include({ status: 500, text: JSON.stringify({ error: error.message }) });
        const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
        expect(response.severityNumber).to.equal(SeverityNumber.ERROR);
        expect(response.attributes).to.include({ [ATTR_ERROR_TYPE]: type, [ATTR_EXCEPTION_MESSAGE]: error.message });
        const [span] = telemetry.spans();
        expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: error.message });
        expect(span.attributes[ATTR_ERROR_TYPE]).to.equal(type);
        const events = span.events.map(({ name, attributes }) => [
          name,
          attributes?.['exception.type'],
          attributes?.['exception.message'],
        ]);
        expect(events).to.deep.equal([['exception', exceptionType, error.message]]);
      });
    }

    it('cuts a long error message, and the stack that repeats it, to MAX_ERROR_TEXT_LENGTH', async () => {
      // A server's message may quote what a client sent: a megabyte model name, say.
      const error = new ModelError(`no model named ${'m'.repeat(1_000_000)}`, 'ModelNotFound');
      const url = await serve(() => {
        throw error;
      });
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
      const kept = error.message.slice(0, MAX_ERROR_TEXT_LENGTH);
      expect(response.attributes[ATTR_EXCEPTION_MESSAGE]).to.equal(kept);
      const [span] = telemetry.spans();
      expect(span.status.message).to.equal(kept);
      const [event] = span.events;
      expect(event.attributes).to.include({ 'exception.message': kept, 'exception.type': error.name });
      expect(event.attributes?.['exception.stacktrace']).to.equal(error.stack!.slice(0, MAX_ERROR_TEXT_LENGTH));
    });

    const brokenOff: [string, unknown, string, string | undefined][] = [
      [
        'the error',
        new ModelError('runtime crashed mid-answer', 'RuntimeFault'),
        'RuntimeFault',
        'runtime crashed mid-answer',
      ],
      // The status sent says nothing failed, and the error names no type: the conventions' fallback.
      ['_OTHER for an error with no type', 'runtime crashed mid-answer', '_OTHER', undefined],
    ];
    for (const [about, error, type, message] of brokenOff) {
      it(`is ${about}, not a client abort, when Express closes the connection after the headers went out`, async () => {
        const app = express();
        // Express's own handler logs the error outside 'test'.
        app.set('env', 'test');
        app.use(inferenceTelemetry(globalOptions()));
        app.post('/v1/models/:target', (_req, res, next) => {
          res.setHeader('content-type', 'application/json');
          res.write('{"predictions":[');
          setImmediate(() => next(error));
        });
        app.use(captureErrors());
        // The usual handler: once the headers are out, Express's own one closes the connection.
        app.use((error: Error, _req: Request, res: Response, next: NextFunction) => {
          if (res.headersSent) return next(error);
          res.status(500).json({ error: error.message });
        });
        const url = await servers.start(app);
        await post(`${url}/v1/models/iris:predict`, IRIS_BODY).catch(() => undefined);
        const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
        expect(response.severityNumber).to.equal(SeverityNumber.ERROR);
        // The status the client was sent, and the handler's error.
        expect(response.attributes).to.include({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: 200, [ATTR_ERROR_TYPE]: type });
        expect(response.attributes[ATTR_EXCEPTION_MESSAGE]).to.equal(message);
        const [span] = await telemetry.waitForSpans();
        expect(span.status.code).to.equal(SpanStatusCode.ERROR);
        expect(span.status.message).to.equal(message);
        expect(span.attributes[ATTR_ERROR_TYPE]).to.equal(type);
      });
    }

    it('is only a status code without captureErrors()', async () => {
      const app = kserveApp(inferenceTelemetry(globalOptions()), {
        captureErrors: false,
        predict: () => {
          throw new ModelError('tensor shape mismatch', 'InvalidInput');
        },
      });
      const url = await servers.start(app);
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
      // Still an error, read from the `{"error": ...}` answer, but the error's kind is not known.
      expect(response.attributes).to.include({
        [ATTR_ERROR_TYPE]: '500',
        [ATTR_EXCEPTION_MESSAGE]: 'tensor shape mismatch',
      });
      expect(telemetry.spans()[0].events).to.deep.equal([]);
    });
  });

  it('takes the error from annotateCall(res, { error }) the same way', async () => {
    const url = await serve((_req, res) => {
      annotateCall(res, { error: new ModelError('out of memory on device', 'ResourceExhausted') });
      res.status(503).json({ error: 'try again later' });
    });
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.attributes).to.include({
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 503,
      [ATTR_ERROR_TYPE]: 'ResourceExhausted',
      [ATTR_EXCEPTION_MESSAGE]: 'out of memory on device',
    });
    const [span] = telemetry.spans();
    expect(span.status.code).to.equal(SpanStatusCode.ERROR);
    expect(span.events.map((event) => event.name)).to.deep.equal(['exception']);
  });

  it('gives an error recorded with no type of its own (a thrown string) the status code as error.type', async () => {
    const url = await serve((_req, res) => {
      annotateCall(res, { error: 'quota exceeded' });
      res.status(503).json({ error: 'try again later' });
    });
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.attributes).to.include({ [ATTR_ERROR_TYPE]: '503', [ATTR_EXCEPTION_MESSAGE]: 'try again later' });
    expect(telemetry.spans()[0].attributes[ATTR_ERROR_TYPE]).to.equal('503');
  });

  it('records a call whose client went away as an `aborted` ERROR', async () => {
    let reached!: () => void;
    const handlerWaiting = new Promise<void>((resolve) => (reached = resolve));
    const url = await serve(async (_req, res) => {
      reached();
      await new Promise((resolve) => res.once('close', resolve));
    });
    const client = httpRequest(`${url}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    client.on('error', () => {});
    client.end(IRIS_BODY);
    await handlerWaiting;
    client.destroy();
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.severityNumber).to.equal(SeverityNumber.ERROR);
    // 499, nginx's "client closed request": no answer was sent, so no status of the server's stands for it.
    expect(response.attributes).to.include({
      [ATTR_ERROR_TYPE]: ERROR_TYPE_ABORTED,
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 499,
    });
    const [span] = await telemetry.waitForSpans();
    expect(span.status.code).to.equal(SpanStatusCode.ERROR);
    expect(span.attributes).to.include({
      [ATTR_ERROR_TYPE]: ERROR_TYPE_ABORTED,
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 499,
    });
  });

  /**
   * A predict call whose body is still arriving, once the middleware has
   * met it. kserveApp mounts captureErrors(): when the connection is gone,
   * body-parser's "request aborted" reaches it, then the error handler (400).
   */
  async function callStillSending(): Promise<{ res: Response; client: ClientRequest }> {
    let arrived!: (res: Response) => void;
    const callArrived = new Promise<Response>((resolve) => (arrived = resolve));
    const middleware = inferenceTelemetry(globalOptions());
    const app = kserveApp((req, res, next) => {
      middleware(req, res, next);
      arrived(res);
    });
    const url = await servers.start(app);
    const client = httpRequest(`${url}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(IRIS_BODY)) },
    });
    client.on('error', () => {});
    client.write(IRIS_BODY.slice(0, 10));
    return { res: await callArrived, client };
  }

  it('records a client that left while still sending the body as `aborted`, though the parser error was recorded', async () => {
    const { client } = await callStillSending();
    client.destroy();
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    // Not the 400 the error handler set: no answer reached the client, who had left.
    expect(response.attributes).to.include({
      [ATTR_ERROR_TYPE]: ERROR_TYPE_ABORTED,
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 499,
    });
    const [span] = await telemetry.waitForSpans();
    expect(span.attributes[ATTR_ERROR_TYPE]).to.equal(ERROR_TYPE_ABORTED);
  });

  it("records a call the server cut off while its body was still arriving as the server's, whatever the parser said after", async () => {
    const { res } = await callStillSending();
    // What a server does when its shutdown timeout runs out: it says why, then closes the connection itself.
    annotateCall(res, {
      cutOff: { error: new ModelError('the server is shutting down', 'ShutdownTimeout'), status: 503 },
    });
    res.socket!.destroy();
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.attributes).to.include({
      [ATTR_ERROR_TYPE]: 'ShutdownTimeout',
      [ATTR_EXCEPTION_MESSAGE]: 'the server is shutting down',
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: 503,
    });
    const [span] = await telemetry.waitForSpans();
    expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'the server is shutting down' });
    expect(span.events.map((event) => event.attributes?.['exception.message'])).to.deep.equal([
      'the server is shutting down',
    ]);
  });
});

/** A processor's flush and shutdown, which have nothing to do. */
const IDLE = { forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };

/** Two calls through the middleware on the global providers, each answered as if it were not there. */
async function callIrisTwice(servers: ReturnType<typeof useServers>): Promise<void> {
  const url = await servers.start(kserveApp(inferenceTelemetry(globalOptions())));
  for (let i = 0; i < 2; i++) {
    const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    expect(answer).to.include({ status: 200, text: IRIS_ANSWER });
  }
}

/** Both calls of {@link callIrisTwice} counted in the metrics, none left in progress, and the fault reported once. */
async function expectCountedAndReported(
  telemetry: InMemoryTelemetry,
  warnings: { messages: string[] },
  fault: string,
): Promise<void> {
  const durations = pointsOf<Histogram>(await telemetry.metric(METRIC_REQUEST_DURATION), {
    [ATTR_MODEL_NAME]: 'iris',
  });
  expect(durations.map((point) => point.value.count)).to.deep.equal([2]);
  const active = pointsOf(await telemetry.metric(METRIC_ACTIVE_REQUESTS));
  expect(active.map((point) => point.value)).to.deep.equal([0]);
  expect(warnings.messages).to.have.lengthOf(1);
  expect(warnings.messages[0]).to.include(fault);
}

describe('never in the way', () => {
  describe('of a matcher that throws', () => {
    const telemetry = useInMemoryTelemetry();
    const servers = useServers();
    const warnings = useRecordedWarnings();

    it('lets the handler answer, and reports the fault once', async () => {
      const matcher = (): never => {
        throw new Error('matcher bug');
      };
      const url = await servers.start(kserveApp(inferenceTelemetry(globalOptions({ matcher }))));
      for (let i = 0; i < 2; i++) {
        const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
        expect(answer).to.include({ status: 200, text: IRIS_ANSWER });
      }
      expect(warnings.messages).to.have.lengthOf(1);
      expect(warnings.messages[0]).to.include('matcher bug');
      expect(telemetry.spans()).to.deep.equal([]);
    });
  });

  describe('of a log exporter that throws', () => {
    const throwing: LogRecordExporter = {
      export() {
        throw new Error('exporter bug');
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const telemetry = useInMemoryTelemetry({ logProcessors: [new SimpleLogRecordProcessor({ exporter: throwing })] });
    const servers = useServers();
    useRecordedWarnings();

    it('lets the handler answer, and the span and records still reach the other exporters', async () => {
      const url = await servers.start(kserveApp(inferenceTelemetry(globalOptions())));
      const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      expect(answer).to.include({ status: 200, text: IRIS_ANSWER });
      await telemetry.waitForSpans();
      expect(await telemetry.waitForRecords(2)).to.have.lengthOf(2);
    });
  });

  describe("of a span processor that throws when the call's span ends", () => {
    const throwing: SpanProcessor = {
      onStart() {},
      onEnd() {
        throw new Error('span processor bug');
      },
      ...IDLE,
    };
    const telemetry = useInMemoryTelemetry({ spanProcessors: [throwing] });
    const servers = useServers();
    const warnings = useRecordedWarnings();

    it('still counts each call in the metrics, none left in progress, writes its records, and reports the fault', async () => {
      await callIrisTwice(servers);
      await telemetry.waitForSpans(2);
      expect(await telemetry.waitForRecords(4)).to.have.lengthOf(4);
      await expectCountedAndReported(telemetry, warnings, 'span processor bug');
    });
  });

  describe("of a span processor that throws when the call's span starts", () => {
    const throwing: SpanProcessor = {
      onStart() {
        throw new Error('span start bug');
      },
      onEnd() {},
      ...IDLE,
    };
    const telemetry = useInMemoryTelemetry({ spanProcessors: [throwing] });
    const servers = useServers();
    const warnings = useRecordedWarnings();

    it('still counts each call in the metrics, none left in progress, writes its records without a trace, and reports the fault', async () => {
      await callIrisTwice(servers);
      const records = await telemetry.waitForRecords(4);
      expect(records.map((record) => record.spanContext)).to.deep.equal([undefined, undefined, undefined, undefined]);
      await expectCountedAndReported(telemetry, warnings, 'span start bug');
    });
  });

  describe('of a log processor that throws while the record is emitted', () => {
    const throwing: LogRecordProcessor = {
      onEmit() {
        throw new Error('processor bug');
      },
      ...IDLE,
    };
    const telemetry = useInMemoryTelemetry({ logProcessors: [throwing] });
    const servers = useServers();
    const warnings = useRecordedWarnings();

    it('lets the handler answer and the next call too, and reports the fault', async () => {
      await callIrisTwice(servers);
      await telemetry.waitForSpans(2);
      expect(warnings.messages).to.have.lengthOf(1);
      expect(warnings.messages[0]).to.include('processor bug');
    });

    it("still emits every monitor's schema and row, each monitor's on its own, and reports the fault", async () => {
      const column = { name: 'x', role: 'feature', dataType: 'numerical' };
      const url = await servers.start(
        kserveApp(inferenceTelemetry(globalOptions({ payloadSampleRate: 0 })), {
          predict: (req, res) => {
            monitor(req, 'first').log(1, column);
            monitor(req, 'second').log(2, column);
            res.send(IRIS_ANSWER);
          },
        }),
      );
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      await telemetry.waitForSpans();
      const written = (type: typeof RECORD_TYPE.MONITOR_ROW | typeof RECORD_TYPE.MONITOR_SCHEMA): unknown[] =>
        telemetry.records(type).map((record) => record.attributes[ATTR_MONITOR_NAME]);
      expect(written(RECORD_TYPE.MONITOR_SCHEMA)).to.deep.equal(['first', 'second']);
      expect(written(RECORD_TYPE.MONITOR_ROW)).to.deep.equal(['first', 'second']);
      expect(warnings.messages).to.have.lengthOf(1);
      expect(warnings.messages[0]).to.include('processor bug');
    });
  });

  describe("of a log processor that throws on a monitor's schema record only", () => {
    const throwing: LogRecordProcessor = {
      onEmit(record) {
        if (record.attributes[ATTR_RECORD_TYPE] === RECORD_TYPE.MONITOR_SCHEMA) throw new Error('schema processor bug');
      },
      ...IDLE,
    };
    const telemetry = useInMemoryTelemetry({ logProcessors: [throwing] });
    const servers = useServers();
    const warnings = useRecordedWarnings();

    it('still emits the row, and reports the fault though the row went through', async () => {
      const url = await servers.start(
        kserveApp(inferenceTelemetry(globalOptions({ payloadSampleRate: 0 })), {
          predict: (req, res) => {
            monitor(req, 'first').log(1, { name: 'x', role: 'feature', dataType: 'numerical' });
            res.send(IRIS_ANSWER);
          },
        }),
      );
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      await telemetry.waitForSpans();
      expect(telemetry.records(RECORD_TYPE.MONITOR_ROW)).to.have.lengthOf(1);
      expect(warnings.messages).to.have.lengthOf(1);
      expect(warnings.messages[0]).to.include('schema processor bug');
    });
  });
});
