import { expect } from 'chai';
import express from 'express';
import { inferenceTelemetry } from '../src/middleware.js';
import { MAX_ATTRIBUTE_VALUE_LENGTH, boundedAttributeValue } from '../src/attribute-value.js';
import { captureRawBody } from '../src/payload/request-body.js';
import {
  ATTR_HTTP_REQUEST_HEADER_PREFIX,
  ATTR_MODEL_NAME,
  ATTR_REQUEST_ID,
  ATTR_URL_PATH,
  METRIC_REQUEST_DURATION,
  RECORD_TYPE,
} from '../src/semconv.js';
import { globalOptions, pointsOf, post, useInMemoryTelemetry, useServers } from './in-memory-telemetry.js';

/** Far past the limit, and within Node's 16 KiB of request headers. */
const LONG_HEADER = 'h'.repeat(8000);
/** A model name a client can put in an OpenAI body: as long as the body parser lets through. */
const LONG_MODEL = 'm'.repeat(1024 * 1024);

describe('attribute values a client sends', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();

  async function serve(): Promise<string> {
    const app = express();
    app.use(inferenceTelemetry(globalOptions({ captureHeaders: ['x-tenant'] })));
    app.use(express.json({ limit: '2mb', verify: captureRawBody }));
    app.post(/.*/, (_req, res) => void res.status(404).json({ error: 'no such model' }));
    return servers.start(app);
  }

  it('are cut to the attribute value limit on the span, the records and the metrics', async () => {
    const url = await serve();
    await post(`${url}/openai/v1/embeddings`, JSON.stringify({ model: LONG_MODEL, input: ['a'] }), {
      'x-request-id': LONG_HEADER,
      'x-tenant': LONG_HEADER,
    });
    const [span] = await telemetry.waitForSpans();
    const records = await telemetry.waitForRecords(2);
    const [point] = pointsOf(await telemetry.metric(METRIC_REQUEST_DURATION));

    expect(span.attributes[ATTR_MODEL_NAME]).to.have.length(MAX_ATTRIBUTE_VALUE_LENGTH);
    expect(span.name).to.have.length('embeddings '.length + MAX_ATTRIBUTE_VALUE_LENGTH);
    expect(span.attributes[ATTR_REQUEST_ID]).to.have.length(MAX_ATTRIBUTE_VALUE_LENGTH);
    const [tenant] = span.attributes[`${ATTR_HTTP_REQUEST_HEADER_PREFIX}x-tenant`] as string[];
    expect(tenant).to.have.length(MAX_ATTRIBUTE_VALUE_LENGTH);
    expect(records.map((record) => record.attributes['inference.record.type'])).to.have.members([
      RECORD_TYPE.REQUEST,
      RECORD_TYPE.RESPONSE,
    ]);
    for (const record of records) {
      expect(record.attributes[ATTR_MODEL_NAME]).to.have.length(MAX_ATTRIBUTE_VALUE_LENGTH);
      expect(record.attributes[ATTR_REQUEST_ID]).to.have.length(MAX_ATTRIBUTE_VALUE_LENGTH);
    }
    expect(point.attributes[ATTR_MODEL_NAME]).to.have.length(MAX_ATTRIBUTE_VALUE_LENGTH);
  });

  it('are cut when the model name comes from the path', async () => {
    const url = await serve();
    await post(`${url}/v1/models/${'p'.repeat(4000)}:predict`, '{"instances": [[1]]}');
    const [span] = await telemetry.waitForSpans();
    expect(span.attributes[ATTR_MODEL_NAME]).to.have.length(MAX_ATTRIBUTE_VALUE_LENGTH);
    expect(span.attributes[ATTR_URL_PATH]).to.have.length(MAX_ATTRIBUTE_VALUE_LENGTH);
  });

  it('keeps the request id it echoes whole', async () => {
    const url = await serve();
    const answer = await post(`${url}/openai/v1/embeddings`, '{"model": "m"}', { 'x-request-id': LONG_HEADER });
    expect(answer.headers.get('x-request-id')).to.equal(LONG_HEADER);
  });

  it('are never cut between the halves of a surrogate pair', () => {
    const value = `${'a'.repeat(MAX_ATTRIBUTE_VALUE_LENGTH - 1)}\u{1F600}`;
    expect(boundedAttributeValue(value)).to.equal('a'.repeat(MAX_ATTRIBUTE_VALUE_LENGTH - 1));
    // The first and the last high surrogates, U+D800 and U+DBFF, start a pair as well.
    for (const pair of ['\u{10000}', '\u{10FFFF}']) {
      const cut = boundedAttributeValue(`${'a'.repeat(MAX_ATTRIBUTE_VALUE_LENGTH - 1)}${pair}`);
      expect(cut, pair).to.equal('a'.repeat(MAX_ATTRIBUTE_VALUE_LENGTH - 1));
    }
  });

  it('are cut to 256 UTF-16 code units', () => {
    expect(boundedAttributeValue('a'.repeat(300))).to.have.lengthOf(256);
  });
});
