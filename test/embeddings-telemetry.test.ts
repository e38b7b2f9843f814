/**
 * Embedding calls over the wire to a real OTLP receiver: GenAI spans named
 * `embeddings <model>` whichever protocol carried them, and response records
 * that summarise the vectors unless full vectors are asked for.
 */
import { expect } from 'chai';
import OpenAI from 'openai';
import type { ReceivedLogRecord, ReceivedSpan } from './support/otlp-model.js';
import { recordOfCall, recordsOfCall, spanOfCall, spansOfCall } from './support/otlp-model.js';
import type { OtlpReceiver } from './support/otlp-receiver.js';
import { useOtlpReceiver } from './support/use-otlp-receiver.js';
import { norm } from '../scripts/demo-models/vectors.js';
import { DEMO_EMBEDDING, serveEmbeddingModels } from './support/embeddings.js';
import { postJson } from './support/http.js';
import { DEMO_REPOSITORY, serveRepository } from './support/server.js';
import type { InferenceServer, ServerOptions } from '../packages/server/src/index.js';

const LONG_TEXT = Array.from({ length: 100 }, () => 'cat').join(' ');
/** The demo model's maximum sequence length, from its config. */
const DEMO_MAX_SEQUENCE_LENGTH = 64;

async function serveWithReceiver(
  receiver: OtlpReceiver,
  telemetry: Exclude<ServerOptions['telemetry'], false | undefined> = {},
): Promise<InferenceServer> {
  return serveRepository(DEMO_REPOSITORY, {
    telemetry: {
      otlp: { endpoint: receiver.url, protocol: 'http/json', compression: 'none' },
      queue: { scheduledDelayMillis: 20 },
      fileSink: { enabled: false },
      ...telemetry,
    },
  });
}

const spanOf = (receiver: OtlpReceiver, requestId: string): ReceivedSpan => spanOfCall(receiver.spans(), requestId);
const responseRecordOf = (receiver: OtlpReceiver, requestId: string): ReceivedLogRecord =>
  recordOfCall(receiver.logRecords(), requestId, 'response');

async function waitForCall(receiver: OtlpReceiver, requestId: string): Promise<void> {
  await receiver.waitFor(
    (r) =>
      spansOfCall(r.spans(), requestId).length > 0 &&
      recordsOfCall(r.logRecords(), requestId).some(
        (record) => record.attributes['inference.record.type'] === 'response',
      ),
  );
}

describe('embedding telemetry', () => {
  let server: InferenceServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  // After the server's hook: its shutdown's last export finds the receiver still open.
  const receiver = useOtlpReceiver({ per: 'test' });

  it('an OpenAI call is a span `embeddings <model>` with the GenAI attributes, truncation included', async () => {
    server = await serveWithReceiver(receiver());
    const response = await postJson(
      `${server.url}/openai/v1/embeddings`,
      { model: DEMO_EMBEDDING, input: ['a cat', LONG_TEXT], encoding_format: 'float', dimensions: 16 },
      { 'x-request-id': 'openai-call' },
    );
    expect(response.status).to.equal(200);
    await waitForCall(receiver(), 'openai-call');
    const span = spanOf(receiver(), 'openai-call');
    expect(span.name).to.equal(`embeddings ${DEMO_EMBEDDING}`);
    expect(span.attributes).to.deep.include({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.request.model': DEMO_EMBEDDING,
      'gen_ai.usage.input_tokens': response.body.usage.prompt_tokens,
      'gen_ai.embeddings.dimension.count': 16,
      'gen_ai.request.encoding_formats': ['float'],
      'inference.embeddings.truncated_inputs': 1,
      'inference.protocol': 'openai',
      'inference.batch.size': 2,
    });
    expect(response.body.usage.prompt_tokens).to.equal(4 + DEMO_MAX_SEQUENCE_LENGTH);
  });

  it('V1 and V2 calls to an embedding model get the same span name and attributes, without an encoding', async () => {
    server = await serveWithReceiver(receiver());
    const v1 = await postJson(
      `${server.url}/v1/models/${DEMO_EMBEDDING}:predict`,
      { instances: ['a cat'] },
      { 'x-request-id': 'v1-call' },
    );
    const v2 = await postJson(
      `${server.url}/v2/models/${DEMO_EMBEDDING}/infer`,
      { inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: ['a cat'] }] },
      { 'x-request-id': 'v2-call' },
    );
    expect([v1.status, v2.status]).to.deep.equal([200, 200]);
    for (const [id, operation] of [
      ['v1-call', 'predict'],
      ['v2-call', 'infer'],
    ] as const) {
      await waitForCall(receiver(), id);
      const span = spanOf(receiver(), id);
      expect(span.name).to.equal(`embeddings ${DEMO_EMBEDDING}`);
      expect(span.attributes).to.deep.include({
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.request.model': DEMO_EMBEDDING,
        // a cat -> [CLS] a cat [SEP]
        'gen_ai.usage.input_tokens': 4,
        'gen_ai.embeddings.dimension.count': 32,
        'inference.embeddings.truncated_inputs': 0,
        'inference.operation': operation,
      });
      expect(span.attributes).not.to.have.property('gen_ai.request.encoding_formats');
    }
  });

  it("the response record carries the vectors' count, dimension and norms, not the floats", async () => {
    server = await serveWithReceiver(receiver());
    const response = await postJson(
      `${server.url}/openai/v1/embeddings`,
      { model: DEMO_EMBEDDING, input: ['a cat', 'rain'] },
      { 'x-request-id': 'summary-call' },
    );
    await waitForCall(receiver(), 'summary-call');
    const record = responseRecordOf(receiver(), 'summary-call');
    const body = JSON.parse(record.body as string);
    // The norms are the model's, before the server normalises: the same model served without normalising answers them.
    const raw = await serveEmbeddingModels([{ config: { task: 'text_embedding', embedding: { normalize: false } } }]);
    let norms: number[];
    try {
      const unnormalised = await postJson(`${raw.url}/openai/v1/embeddings`, {
        model: DEMO_EMBEDDING,
        input: ['a cat', 'rain'],
      });
      norms = (unnormalised.body.data as { embedding: number[] }[]).map((item) => norm(item.embedding));
    } finally {
      await raw.close();
    }
    expect(body.embeddings.count).to.equal(2);
    expect(body.embeddings.dimension).to.equal(32);
    expect(body.embeddings.norms).to.have.length(2);
    body.embeddings.norms.forEach((value: number, i: number) => expect(value).to.be.closeTo(norms[i], 1e-5));
    expect(
      norms.some((value) => Math.abs(value - 1) > 0.01),
      'the demo model does not already answer unit vectors',
    ).to.be.true;
    expect(record.body).not.to.include('"embedding"');
    expect(record.attributes['inference.payload.size']).to.equal(Buffer.byteLength(JSON.stringify(response.body)));
  });

  it('the response record holds the whole answer with embeddingVectors: full', async () => {
    server = await serveWithReceiver(receiver(), { embeddingVectors: 'full' });
    const response = await postJson(
      `${server.url}/openai/v1/embeddings`,
      { model: DEMO_EMBEDDING, input: 'a cat' },
      { 'x-request-id': 'full-call' },
    );
    await waitForCall(receiver(), 'full-call');
    expect(JSON.parse(responseRecordOf(receiver(), 'full-call').body as string)).to.deep.equal(response.body);
  });

  it('the official client asks for base64 by default, as the span records', async () => {
    server = await serveWithReceiver(receiver());
    const client = new OpenAI({
      baseURL: `${server.url}/openai/v1`,
      apiKey: 'not-checked',
      maxRetries: 0,
      defaultHeaders: { 'x-request-id': 'client-call' },
    });
    await client.embeddings.create({ model: DEMO_EMBEDDING, input: 'a cat' });
    await waitForCall(receiver(), 'client-call');
    expect(spanOf(receiver(), 'client-call').attributes['gen_ai.request.encoding_formats']).to.deep.equal(['base64']);
  });

  it('a refused OpenAI call is an error span named after the model, with the message', async () => {
    server = await serveWithReceiver(receiver());
    const response = await postJson(
      `${server.url}/openai/v1/embeddings`,
      { model: DEMO_EMBEDDING, input: 'a', dimensions: 5 },
      { 'x-request-id': 'refused-call' },
    );
    expect(response.status).to.equal(400);
    await waitForCall(receiver(), 'refused-call');
    const span = spanOf(receiver(), 'refused-call');
    expect(span.name).to.equal(`embeddings ${DEMO_EMBEDDING}`);
    expect(span.attributes['error.type']).to.equal('INVALID_REQUEST');
    expect(span.status.message).to.include('"dimensions" 5 is not supported');
    const record = responseRecordOf(receiver(), 'refused-call');
    expect(JSON.parse(record.body as string)).to.deep.equal(response.body);
  });
});
