/** The request record's body and size: what the client sent, however the application parsed it. */
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import express from 'express';
import { inferenceTelemetry } from '../src/middleware.js';
import { INFERENCE_HEADER_CONTENT_LENGTH, stringifyJson } from '@inferlens/protocol';
import { captureRawBody } from '../src/payload/request-body.js';
import { ATTR_PAYLOAD_SIZE, ATTR_PAYLOAD_TRUNCATED, RECORD_TYPE } from '../src/semconv.js';
import type { InferenceTelemetryOptions } from '../src/types.js';
import { globalOptions, postChunked, useInMemoryTelemetry, useServers } from './in-memory-telemetry.js';

/** A V2 binary-extension body: the JSON part, then four FP32 values. */
const JSON_PART = '{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}]}';
const BINARY_BODY = Buffer.concat([
  Buffer.from(JSON_PART),
  Buffer.from(new Float32Array([1.5, -2, 3.25, 1e30]).buffer),
]);

describe('the request record', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  /** An app whose middleware has `options` and whose parser is `parser`, answering every V1 and V2 call with `{}`. */
  function serve(parser: express.RequestHandler, options: InferenceTelemetryOptions = {}): Promise<string> {
    const app = express();
    app.use(inferenceTelemetry(globalOptions(options)));
    app.use(parser);
    app.post(['/v1/models/:target', '/v2/models/:model/infer'], (_req, res) => void res.json({}));
    return servers.start(app);
  }

  it('holds only the JSON part of a binary-extension body that express.raw() kept as the body', async () => {
    const url = await serve(express.raw({ type: 'application/octet-stream' }));
    await fetch(`${url}/v2/models/iris/infer`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        [INFERENCE_HEADER_CONTENT_LENGTH]: String(Buffer.byteLength(JSON_PART)),
      },
      body: BINARY_BODY,
    });
    const record = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(record.body).to.equal(JSON_PART);
    expect(record.attributes[ATTR_PAYLOAD_SIZE]).to.equal(BINARY_BODY.byteLength);
  });

  it('of a chunked body express.raw() kept counts all its bytes, though it decodes only a start of it', async () => {
    const url = new URL(
      await serve(express.raw({ type: 'application/json' }), {
        maxPayloadBytes: 16,
        redactPaths: ['parameters.api_key'],
      }),
    );
    const body = `{"parameters":{"api_key":"sk-secret"},"instances":[${'[6.8,2.8],'.repeat(20)}[1,2]]}`;
    await postChunked(url, '/v1/models/iris:predict', body);
    const record = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(record.body).to.equal('{"parameters":{"');
    expect(record.attributes).to.include({ [ATTR_PAYLOAD_SIZE]: body.length, [ATTR_PAYLOAD_TRUNCATED]: true });
  });

  it('of a chunked body no parser kept has the size of the text sent, not of the redacted text', async () => {
    const url = new URL(await serve(express.json(), { redactPaths: ['parameters.api_key'] }));
    const body = '{"parameters":{"api_key":"sk-secret-key-0123456789"},"instances":[[6.8,2.8]]}';
    await postChunked(url, '/v1/models/iris:predict', body);
    const record = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(record.body).to.equal('{"parameters":{"api_key":"[REDACTED]"},"instances":[[6.8,2.8]]}');
    expect(record.attributes[ATTR_PAYLOAD_SIZE]).to.equal(body.length);
  });

  it('of a gzip-encoded body holds the decoded JSON and counts the bytes sent', async () => {
    const url = await serve(express.json({ verify: captureRawBody }));
    const json = JSON.stringify({ instances: Array.from({ length: 500 }, () => [6.8, 2.8, 4.8, 1.4]) });
    const sent = gzipSync(json);
    await fetch(`${url}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: sent,
    });
    const record = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(record.body).to.equal(json);
    expect(record.attributes[ATTR_PAYLOAD_SIZE]).to.equal(sent.byteLength);
  });

  it('of a JSON body sent in UTF-16, which body-parser reads, holds its text and counts the bytes sent', async () => {
    const url = await serve(express.json({ verify: captureRawBody }));
    const json = '{"instances":[[6.8,2.8]],"note":"caf\u00e9 \u{1f600}"}';
    const sent = Buffer.from(json, 'utf16le');
    const answer = await fetch(`${url}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-16le' },
      body: sent,
    });
    expect(answer.status).to.equal(200);
    const record = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(record.body).to.equal(json);
    expect(record.attributes[ATTR_PAYLOAD_SIZE]).to.equal(sent.byteLength);
  });

  it('of a UTF-16 body longer than maxPayloadBytes holds its first bytes as UTF-8, never half a character', async () => {
    const url = await serve(express.json({ verify: captureRawBody }), { maxPayloadBytes: 12 });
    const json = `{"note":"\u00e9\u00e9${'x'.repeat(1000)}"}`;
    await fetch(`${url}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-16le' },
      body: Buffer.from(json, 'utf16le'),
    });
    const record = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    // 12 bytes end inside the second é (bytes 11 and 12 of 13).
    expect(record.body).to.equal('{"note":"\u00e9');
    expect(record.attributes).to.include({ [ATTR_PAYLOAD_TRUNCATED]: true, [ATTR_PAYLOAD_SIZE]: json.length * 2 });
  });

  it('of a UTF-16 body of just maxPayloadBytes once in UTF-8 holds it whole, not marked truncated', async () => {
    const json = '{"instances":[[6.8,2.8]]}';
    const url = await serve(express.json({ verify: captureRawBody }), { maxPayloadBytes: json.length });
    await fetch(`${url}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-16le' },
      body: Buffer.from(json, 'utf16le'),
    });
    const record = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(record.body).to.equal(json);
    expect(record.attributes).to.not.have.property(ATTR_PAYLOAD_TRUNCATED);
  });

  it('reads the charset however the Content-Type writes it: in any case, quoted, spaced', async () => {
    const url = await serve(express.json({ verify: captureRawBody }));
    const json = '{"instances":[[6.8,2.8]],"note":"caf\u00e9"}';
    const answer = await fetch(`${url}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; Charset = "UTF-16LE"' },
      body: Buffer.from(json, 'utf16le'),
    });
    expect(answer.status).to.equal(200);
    const record = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(record.body).to.equal(json);
  });

  for (const charset of ['unicode-1-1-utf-8', 'x-unknown']) {
    it(`of a body in charset ${charset} (UTF-8, or one the runtime does not know) keeps it as sent, byte order mark too`, async () => {
      const url = await serve(express.raw({ type: 'application/json' }));
      const json = '\ufeff{"instances":[[6.8,2.8]]}';
      await fetch(`${url}/v1/models/iris:predict`, {
        method: 'POST',
        headers: { 'content-type': `application/json; charset=${charset}` },
        body: Buffer.from(json),
      });
      const record = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
      expect(record.body).to.equal(json);
    });
  }

  it('of a parsed body nested deeper than the runtime serialises is empty and marked truncated, with the size sent', async () => {
    const url = await serve(express.json());
    // Legal JSON that JSON.parse reads, and that serialising again overflows the stack on up to Node.js 24.
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    let overflows = false;
    try {
      stringifyJson(JSON.parse(deep));
    } catch (error) {
      overflows = error instanceof RangeError;
    }
    await fetch(`${url}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: deep,
    });
    const record = await telemetry.waitForRecord(RECORD_TYPE.REQUEST);
    expect(record.attributes).to.include({ [ATTR_PAYLOAD_SIZE]: deep.length });
    // Node.js 26 serialises it whole: the record then holds it, as it holds any body that fits.
    expect([record.body, record.attributes[ATTR_PAYLOAD_TRUNCATED]]).to.deep.equal(
      overflows ? ['', true] : [deep, undefined],
    );
  });
});
