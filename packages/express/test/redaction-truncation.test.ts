import { SpanStatusCode } from '@opentelemetry/api';
import { expect } from 'chai';
import { inferenceTelemetry } from '../src/middleware.js';
import { INFERENCE_HEADER_CONTENT_LENGTH } from '@inferlens/protocol';
import { REDACTED } from '../src/payload/redact.js';
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

  it('withholds bodies nested too deep to redact as "[REDACTED]", and records the failed call whole', async () => {
    // Legal JSON (body-parser reads it) nested deeper than a recursive walk of its tree can go.
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const url = await serve({ redactPaths: ['parameters.api_key'] }, (_req, res) => {
      res.status(400).type('json').send(deep);
    });
    const answer = await post(`${url}/v1/models/iris:predict`, deep);
    expect(answer.status).to.equal(400);
    const { request, response } = await bodies();
    expect(request).to.equal(REDACTED);
    expect(response).to.equal(REDACTED);
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
});
