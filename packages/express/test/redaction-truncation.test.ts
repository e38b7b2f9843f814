import { SpanStatusCode } from '@opentelemetry/api';
import { expect } from 'chai';
import express from 'express';
import type { Request, Response } from 'express';
import { inferenceTelemetry } from '../src/middleware.js';
import { INFERENCE_HEADER_CONTENT_LENGTH } from '@inferlens/protocol';
import { REDACTED } from '../src/payload/redact.js';
import { captureRawBody } from '../src/payload/request-body.js';
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_PAYLOAD_SIZE,
  ATTR_PAYLOAD_TRUNCATED,
  RECORD_TYPE,
} from '../src/semconv.js';
import type { InferenceTelemetryOptions } from '../src/types.js';
import type { PredictHandler } from './in-memory-telemetry.js';
import {
  IRIS_ANSWER,
  IRIS_BODY,
  globalOptions,
  kserveApp,
  post,
  useInMemoryTelemetry,
  useServers,
} from './in-memory-telemetry.js';

const SECRET_BODY = '{"instances":[[6.8,2.8],[6.0,3.4]],"parameters":{"api_key":"sk-secret","top_k":2}}';

describe('redaction and truncation', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();
  const serve = (options: InferenceTelemetryOptions, predict?: PredictHandler): Promise<string> =>
    servers.start(kserveApp(inferenceTelemetry(globalOptions(options)), predict === undefined ? {} : { predict }));
  /** Answers with the request body and a prediction. */
  const echo: PredictHandler = (req, res) => void res.json({ ...req.body, predictions: [1, 1] });

  async function bodies(): Promise<{ request: string; response: string }> {
    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    return { request: request.body as string, response: response.body as string };
  }

  it('replaces the values at redactPaths with "[REDACTED]" in both bodies, not in the answer', async () => {
    const url = await serve({ redactPaths: ['instances.*', 'parameters.api_key'] }, echo);
    const answer = await post(`${url}/v1/models/iris:predict`, SECRET_BODY);
    expect(answer.text).to.include('sk-secret');
    const { request, response } = await bodies();
    expect(JSON.parse(request)).to.deep.equal({
      instances: [REDACTED, REDACTED],
      parameters: { api_key: REDACTED, top_k: 2 },
    });
    expect(JSON.parse(response)).to.deep.equal({
      instances: [REDACTED, REDACTED],
      parameters: { api_key: REDACTED, top_k: 2 },
      predictions: [1, 1],
    });
  });

  it("hides a redacted error text from the span's status and exception.message too", async () => {
    const secret = 'no such account: 123-45-6789';
    const url = await serve({ redactPaths: ['error'] }, (_req, res) => void res.status(400).json({ error: secret }));
    const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    expect(answer.text).to.include(secret);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(JSON.parse(response.body as string)).to.deep.equal({ error: REDACTED });
    expect(response.attributes[ATTR_EXCEPTION_MESSAGE]).to.equal(REDACTED);
    const [span] = await telemetry.waitForSpans();
    expect(span.status.message).to.equal(REDACTED);
  });

  it('redacts bodies nested deeper than a recursive walk goes field by field, and records the failed call whole', async () => {
    // Legal JSON (body-parser reads it) nested deeper than a recursive walk of its tree can go.
    const deep = `${'['.repeat(20_000)}{"api_key":"sk-secret"}${']'.repeat(20_000)}`;
    const url = await serve({ redactPaths: [`${'*.'.repeat(20_000)}api_key`] }, (_req, res) => {
      res.status(400).type('json').send(deep);
    });
    const answer = await post(`${url}/v1/models/iris:predict`, deep);
    expect(answer.status).to.equal(400);
    const { request, response } = await bodies();
    const redacted = deep.replace('"sk-secret"', JSON.stringify(REDACTED));
    expect(request).to.equal(redacted);
    expect(response).to.equal(redacted);
    const [span] = await telemetry.waitForSpans();
    expect(span.status.code).to.equal(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE]).to.equal(400);
  });

  it('redacts a JSON body that starts with a byte order mark, which body-parser reads, and keeps the mark', async () => {
    const url = await serve({ redactPaths: ['parameters.api_key'] });
    const answer = await post(`${url}/v1/models/iris:predict`, `\uFEFF${SECRET_BODY}`);
    expect(answer.status).to.equal(200);
    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(request.body).to.equal(`\uFEFF${SECRET_BODY.replace('"sk-secret"', JSON.stringify(REDACTED))}`);
  });

  it('leaves bodies alone when a path does not occur', async () => {
    const url = await serve({ redactPaths: ['parameters.api_key'] });
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const { request, response } = await bodies();
    expect(request).to.equal(IRIS_BODY);
    expect(response).to.equal(IRIS_ANSWER);
  });

  it('changes nothing but the redacted values: numbers JSON.parse would round stay as sent, and a repeated key is hidden twice', async () => {
    const url = await serve({ redactPaths: ['parameters.api_key', 'parameters'] }, (_req, res) => void res.json({}));
    const body =
      '{ "instances": [[6.8, 1e400, 1.0]], "id": 12345678901234567891, ' +
      '"parameters": {"api_key": "sk-1"}, "parameters": {"api_key": "sk-2"} }';
    await post(`${url}/v1/models/iris:predict`, body);
    const { request } = await bodies();
    expect(request).to.equal(
      '{ "instances": [[6.8, 1e400, 1.0]], "id": 12345678901234567891, ' +
        `"parameters": "${REDACTED}", "parameters": "${REDACTED}" }`,
    );
  });

  it('cuts bodies to maxPayloadBytes and marks them truncated with their full size', async () => {
    const url = await serve({ maxPayloadBytes: 32 }, echo);
    const answer = await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(request.body).to.equal(IRIS_BODY.slice(0, 32));
    expect(request.attributes).to.include({
      [ATTR_PAYLOAD_TRUNCATED]: true,
      [ATTR_PAYLOAD_SIZE]: Buffer.byteLength(IRIS_BODY),
    });
    expect(response.body).to.equal(answer.text.slice(0, 32));
    expect(response.attributes).to.include({
      [ATTR_PAYLOAD_TRUNCATED]: true,
      [ATTR_PAYLOAD_SIZE]: Buffer.byteLength(answer.text),
    });
  });

  it('does not mark a body that fits, to its last byte', async () => {
    const url = await serve({ maxPayloadBytes: Buffer.byteLength(IRIS_BODY) });
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(request.body).to.equal(IRIS_BODY);
    expect(request.attributes).not.to.have.property(ATTR_PAYLOAD_TRUNCATED);
  });

  describe('of a binary-extension answer, whose tensor bytes the record leaves out', () => {
    const tensorBytes = 8192;
    /** The answer's JSON part, naming its output `name`. */
    const jsonPart = (name: string) =>
      JSON.stringify({ outputs: [{ name, parameters: { binary_data_size: tensorBytes } }] });
    /** Sends `json` and the tensor bytes with `maxPayloadBytes`, and gives the response record. */
    async function record(json: string, maxPayloadBytes: number) {
      const url = await serve({ maxPayloadBytes }, (_req, res) => {
        res.setHeader(INFERENCE_HEADER_CONTENT_LENGTH, Buffer.byteLength(json));
        res.end(Buffer.concat([Buffer.from(json), Buffer.alloc(tensorBytes)]));
      });
      await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
      const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
      expect(response.attributes[ATTR_PAYLOAD_SIZE]).to.equal(Buffer.byteLength(json) + tensorBytes);
      return response;
    }

    const cases = [
      ['a whole JSON part is not truncated', 'o', undefined],
      ['a JSON part longer than maxPayloadBytes is truncated', 'o'.repeat(80), true],
    ] as const;
    for (const [title, name, truncated] of cases) {
      it(title, async () => {
        const response = await record(jsonPart(name), 128);
        expect(response.attributes[ATTR_PAYLOAD_TRUNCATED]).to.equal(truncated);
      });
    }

    it('a JSON part that fills the bytes kept of the answer to the last one is whole', async () => {
      // 4 KiB: maxPayloadBytes, and the least the middleware keeps of an answer.
      const limit = 4096;
      const json = jsonPart('o'.repeat(limit - Buffer.byteLength(jsonPart(''))));
      const response = await record(json, limit);
      expect(response.body).to.equal(json);
      expect(response.attributes).not.to.have.property(ATTR_PAYLOAD_TRUNCATED);
    });
  });

  it('never cuts a request body inside a character', async () => {
    const url = await serve({ maxPayloadBytes: 32 });
    // 29 ASCII bytes, then a 4-byte character across the limit.
    const body = `{"instances":[],"text":"abcde😀😀"}`;
    await post(`${url}/v1/models/iris:predict`, body);
    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(request.body).to.equal('{"instances":[],"text":"abcde');
  });

  it('keeps a request body with invalid UTF-8 within maxPayloadBytes, though it decodes wider', async () => {
    const url = await serve({ maxPayloadBytes: 32 });
    // 20 ASCII bytes, 12 bytes that are not UTF-8 (each decodes to the 3-byte U+FFFD), then the closing 2.
    const body = Buffer.concat([Buffer.from('{"instances":[],"t":"'), Buffer.alloc(12, 0xff), Buffer.from('"}')]);
    await fetch(`${url}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(Buffer.byteLength(request.body as string)).to.be.at.most(32);
    expect(request.body).to.match(/^\{"instances":\[\],"t":"\uFFFD+$/);
    expect(request.attributes[ATTR_PAYLOAD_TRUNCATED]).to.equal(true);
    expect(request.attributes[ATTR_PAYLOAD_SIZE]).to.equal(body.byteLength);
  });

  it('never cuts a response body inside a character', async () => {
    const url = await serve(
      { maxPayloadBytes: 32 },
      (_req, res) => void res.json({ text: 'abcdefghijklmnopqrst😀😀' }),
    );
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.body).to.equal('{"text":"abcdefghijklmnopqrst');
  });

  it('leaves out a character the response capture cut, even at the capture limit', async () => {
    // The capture keeps at least 4096 bytes: at that limit it stops inside the first 😀, and the text fits the record.
    const text = 'a'.repeat(4084);
    const url = await serve(
      { maxPayloadBytes: 4096 },
      (_req, res) => void res.json({ text: `${text}${'😀'.repeat(10)}` }),
    );
    await post(`${url}/v1/models/iris:predict`, IRIS_BODY);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.body).to.equal(`{"text":"${text}`);
  });

  it('withholds a response body the capture cut as "[REDACTED]" when redaction is on', async () => {
    const url = await serve({ maxPayloadBytes: 32, redactPaths: ['parameters.api_key'] }, echo);
    // Longer than the capture keeps (4 KiB at least, for error messages), so the answer is cut before redaction.
    const body = JSON.stringify({ ...JSON.parse(SECRET_BODY), padding: 'x'.repeat(5000) });
    const answer = await post(`${url}/v1/models/iris:predict`, body);
    const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    const response = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(response.body).to.equal(REDACTED);
    expect(response.attributes).to.include({
      [ATTR_PAYLOAD_TRUNCATED]: true,
      [ATTR_PAYLOAD_SIZE]: Buffer.byteLength(answer.text),
    });
    // The request body is whole before the cut: it is redacted first, then cut.
    const redacted = JSON.stringify({ ...JSON.parse(body), parameters: { api_key: REDACTED, top_k: 2 } });
    expect(request.body).to.equal(redacted.slice(0, 32));
    expect(request.attributes).to.include({ [ATTR_PAYLOAD_TRUNCATED]: true });
  });
  describe('of a request body of megabytes, of which the record keeps 64 KiB', () => {
    const REDACTED_JSON = JSON.stringify(REDACTED);
    /** A V2 input named `name` with `count` FP32 values. */
    const input = (name: string, count: number) =>
      `{"name":"${name}","shape":[${count}],"datatype":"FP32","data":[${Array(count).fill('0.123456').join(',')}]}`;
    /** A V2 body with an API key and `inputs`. */
    const v2Body = (...inputs: string[]) => `{"parameters":{"api_key":"sk-secret"},"inputs":[${inputs.join(',')}]}`;

    /**
     * Sends `body` (in UTF-16 when `utf16`) to an app that reads up to 32 MB
     * with `redactPaths`, and gives its request record, which counts every byte sent.
     */
    async function requestRecord(redactPaths: string[], body: string, utf16 = false) {
      const app = express();
      app.use(inferenceTelemetry(globalOptions({ redactPaths })));
      app.use(express.json({ limit: '32mb', verify: captureRawBody }));
      app.post('/v2/models/:model/infer', (_req, res) => void res.json({}));
      // A body that is not JSON is answered without Express printing it.
      app.use((error: { status?: number }, _req: Request, res: Response, _next: unknown) => {
        res.status(error.status ?? 500).json({});
      });
      const url = await servers.start(app);
      const sent = Buffer.from(body, utf16 ? 'utf16le' : 'utf8');
      const charset = utf16 ? 'utf-16le' : 'utf-8';
      await fetch(`${url}/v2/models/m/infer`, {
        method: 'POST',
        headers: { 'content-type': `application/json; charset=${charset}` },
        body: sent,
      });
      const request = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
      expect(request.attributes[ATTR_PAYLOAD_SIZE]).to.equal(sent.byteLength);
      return request;
    }

    it('keeps its redacted start, marked truncated', async () => {
      const body = v2Body(input('x', 500_000));
      const request = await requestRecord(['parameters.api_key'], body);
      expect(request.body).to.equal(body.replace('"sk-secret"', REDACTED_JSON).slice(0, 65_536));
      expect(request.attributes[ATTR_PAYLOAD_TRUNCATED]).to.equal(true);
    });

    it('keeps all of it when its redacted text fits, not marked truncated', async () => {
      const body = v2Body(input('x', 500_000));
      const request = await requestRecord(['inputs.*.data'], body);
      expect(request.body).to.equal(body.replace(/"data":\[[^\]]*\]/, `"data":${REDACTED_JSON}`));
      expect(request.attributes).not.to.have.property(ATTR_PAYLOAD_TRUNCATED);
    });

    it('keeps what follows a redacted value of megabytes, up to the bytes kept', async () => {
      const kept = input('y', 100_000);
      const request = await requestRecord(['inputs.0'], v2Body(input('x', 500_000), kept));
      expect(request.body).to.equal(v2Body(REDACTED_JSON, kept).slice(0, 65_536));
      expect(request.attributes[ATTR_PAYLOAD_TRUNCATED]).to.equal(true);
    });

    it('keeps the redacted start of one that stops being JSON only past the bytes kept', async () => {
      // body-parser refuses it (400); the failed call's record shows its start, since redaction never reads the end.
      const start = v2Body(input('x', 500_000)).slice(0, -2);
      const request = await requestRecord(['parameters.api_key'], `${start},oops}`);
      expect(request.body).to.equal(start.replace('"sk-secret"', REDACTED_JSON).slice(0, 65_536));
      expect(request.attributes[ATTR_PAYLOAD_TRUNCATED]).to.equal(true);
    });

    it('redacts one sent in UTF-16 in its text', async () => {
      const body = v2Body(input('x', 200_000));
      const request = await requestRecord(['parameters.api_key'], body, true);
      expect(request.body).to.equal(body.replace('"sk-secret"', REDACTED_JSON).slice(0, 65_536));
      expect(request.attributes[ATTR_PAYLOAD_TRUNCATED]).to.equal(true);
    });
  });
});
