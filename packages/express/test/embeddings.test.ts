/** Embedding calls an application annotates: GenAI attributes, the span name and the response record's summary. */
import { expect } from 'chai';
import express from 'express';
import type { RequestHandler } from 'express';
import { annotateCall } from '../src/annotations.js';
import type { EmbeddingAnnotations } from '../src/annotations.js';
import { inferenceTelemetry } from '../src/middleware.js';
import { captureRawBody } from '../src/payload/request-body.js';
import {
  ATTR_EMBEDDINGS_TRUNCATED_INPUTS,
  ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_ENCODING_FORMATS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_PAYLOAD_SIZE,
  ATTR_PAYLOAD_TRUNCATED,
  RECORD_TYPE,
} from '../src/semconv.js';
import type { InferenceTelemetryOptions } from '../src/types.js';
import { globalOptions, post, useInMemoryTelemetry, useServers } from './in-memory-telemetry.js';

/** An answer of two 3-dimensional vectors, and what the application says of it. */
const VECTORS = [
  [0.6, 0.8, 0],
  [3, 4, 12],
];
const ANNOTATION: EmbeddingAnnotations = {
  inputTokens: 9,
  dimension: 3,
  norms: [1, 13],
  truncatedInputs: 1,
  encodingFormat: 'float',
};

const FAILURE = 'the vectors could not be normalised';

/** An app with an OpenAI embeddings route and a V1 predict route, each annotating as the server does. */
function embeddingsApp(telemetry: RequestHandler): express.Express {
  const app = express();
  app.use(telemetry);
  app.use(express.json({ verify: captureRawBody }));
  app.post('/openai/v1/embeddings', (req, res) => {
    annotateCall(res, { embeddings: ANNOTATION });
    const { model } = req.body as { model: string };
    // Annotated, then failed: the model `failing` breaks after embedding.
    if (model === 'failing') return void res.status(500).json({ error: FAILURE });
    res.json({
      object: 'list',
      model,
      data: VECTORS.map((embedding, index) => ({ object: 'embedding', embedding, index })),
    });
  });
  app.post('/v1/models/:target', (_req, res) => {
    annotateCall(res, { embeddings: { ...ANNOTATION, encodingFormat: undefined } });
    res.json({ predictions: VECTORS });
  });
  return app;
}

describe('embedding calls', () => {
  const telemetry = useInMemoryTelemetry();
  const servers = useServers();
  const serve = (options: InferenceTelemetryOptions = {}): Promise<string> =>
    servers.start(embeddingsApp(inferenceTelemetry(globalOptions(options))));

  it('an OpenAI call is a span `embeddings <model>` with the GenAI attributes', async () => {
    const url = await serve();
    await post(`${url}/openai/v1/embeddings`, JSON.stringify({ model: 'minilm', input: ['a', 'b'] }));
    const [span] = await telemetry.waitForSpans();
    expect(span.name).to.equal('embeddings minilm');
    expect(span.attributes).to.deep.include({
      [ATTR_GEN_AI_OPERATION_NAME]: 'embeddings',
      [ATTR_GEN_AI_REQUEST_MODEL]: 'minilm',
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 9,
      [ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT]: 3,
      [ATTR_GEN_AI_REQUEST_ENCODING_FORMATS]: ['float'],
      [ATTR_EMBEDDINGS_TRUNCATED_INPUTS]: 1,
    });
  });

  it('a V1 call annotated as embeddings is renamed too, and has no encoding format', async () => {
    const url = await serve();
    await post(`${url}/v1/models/minilm:predict`, JSON.stringify({ instances: ['a', 'b'] }));
    const [span] = await telemetry.waitForSpans();
    expect(span.name).to.equal('embeddings minilm');
    expect(span.attributes[ATTR_GEN_AI_REQUEST_MODEL]).to.equal('minilm');
    expect(span.attributes).not.to.have.property(ATTR_GEN_AI_REQUEST_ENCODING_FORMATS);
  });

  it("the response record holds the vectors' count, dimension and norms, and the answer's size", async () => {
    const url = await serve();
    const answer = await post(`${url}/openai/v1/embeddings`, JSON.stringify({ model: 'minilm', input: ['a', 'b'] }));
    const record = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(JSON.parse(record.body as string)).to.deep.equal({ embeddings: { count: 2, dimension: 3, norms: [1, 13] } });
    expect(record.attributes[ATTR_PAYLOAD_SIZE]).to.equal(Buffer.byteLength(answer.text));
    // A summary stands for the answer, not for a part of it: one that fits is not marked truncated.
    expect(record.attributes).not.to.have.property(ATTR_PAYLOAD_TRUNCATED);
    expect(record.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).to.equal(9);
  });

  it('the summary is cut to maxPayloadBytes and marked, as any record body is', async () => {
    const url = await serve({ maxPayloadBytes: 16 });
    const answer = await post(`${url}/openai/v1/embeddings`, JSON.stringify({ model: 'minilm', input: ['a', 'b'] }));
    const record = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(record.body).to.equal('{"embeddings":{"');
    expect(record.attributes).to.include({
      [ATTR_PAYLOAD_TRUNCATED]: true,
      [ATTR_PAYLOAD_SIZE]: Buffer.byteLength(answer.text),
    });
  });

  it('a failed call annotated as embeddings logs its error answer, not a summary', async () => {
    const url = await serve();
    const answer = await post(`${url}/openai/v1/embeddings`, JSON.stringify({ model: 'failing', input: ['a'] }));
    expect(answer.status).to.equal(500);
    const record = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(record.body).to.equal(answer.text);
    expect(JSON.parse(answer.text)).to.deep.equal({ error: FAILURE });
  });

  it("the response record holds the whole answer with embeddingVectors: 'full'", async () => {
    const url = await serve({ embeddingVectors: 'full' });
    const answer = await post(`${url}/openai/v1/embeddings`, JSON.stringify({ model: 'minilm', input: ['a', 'b'] }));
    const record = await telemetry.waitForRecord(RECORD_TYPE.RESPONSE);
    expect(record.body).to.equal(answer.text);
  });

  it('refuses an unknown embeddingVectors mode at construction', () => {
    expect(() => inferenceTelemetry(globalOptions({ embeddingVectors: 'all' as 'full' }))).to.throw(
      /embeddingVectors must be one of summary, full, got "all"/,
    );
  });
});
