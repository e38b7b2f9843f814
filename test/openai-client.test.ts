/** The official `openai` npm client against the server's OpenAI-compatible embeddings API. */
import { expect } from 'chai';
import OpenAI from 'openai';
import { DEMO_EMBEDDING } from './support/embeddings.js';
import { postJson } from './support/http.js';
import { DEMO_REPOSITORY, serveRepository } from './support/server.js';
import type { InferenceServer } from '../packages/server/src/index.js';

const TEXTS = ['The cat chased a dog.', 'rain and snow tomorrow'];

describe('the official openai client', () => {
  let server: InferenceServer;
  let client: OpenAI;
  /** The same texts' vectors from V1, as float32 values. */
  let v1Vectors: number[][];

  before(async () => {
    server = await serveRepository(DEMO_REPOSITORY);
    // The server asks for no key; the client insists on one.
    client = new OpenAI({ baseURL: `${server.url}/openai/v1`, apiKey: 'not-checked', maxRetries: 0 });
    const v1 = await postJson(`${server.url}/v1/models/${DEMO_EMBEDDING}:predict`, { instances: TEXTS });
    v1Vectors = (v1.body.predictions as number[][]).map((vector) => vector.map((value) => Math.fround(value)));
  });

  after(async () => {
    await server?.close();
  });

  it('embeddings.create with encoding_format float answers the V1 vectors', async () => {
    const answer = await client.embeddings.create({ model: DEMO_EMBEDDING, input: TEXTS, encoding_format: 'float' });
    expect(answer.object).to.equal('list');
    expect(answer.model).to.equal(DEMO_EMBEDDING);
    expect(answer.data.map((item) => item.index)).to.deep.equal([0, 1]);
    expect(answer.data.map((item) => item.embedding.map((value) => Math.fround(value)))).to.deep.equal(v1Vectors);
    expect(answer.usage.prompt_tokens).to.be.greaterThan(0);
    expect(answer.usage.total_tokens).to.equal(answer.usage.prompt_tokens);
  });

  it('embeddings.create with encoding_format base64 answers the same float32 bytes', async () => {
    const answer = await client.embeddings.create({ model: DEMO_EMBEDDING, input: TEXTS, encoding_format: 'base64' });
    const decoded = answer.data.map((item) => {
      // Asked for explicitly, base64 is handed back as the string the server sent.
      const bytes = Uint8Array.from(Buffer.from(item.embedding as unknown as string, 'base64'));
      return Array.from(new Float32Array(bytes.buffer));
    });
    expect(decoded).to.deep.equal(v1Vectors);
  });

  it('embeddings.create with no encoding_format (the client asks for base64 and decodes it) answers the V1 vectors', async () => {
    const answer = await client.embeddings.create({ model: DEMO_EMBEDDING, input: TEXTS });
    expect(answer.data.map((item) => item.embedding)).to.deep.equal(v1Vectors);
  });

  it('embeddings.create with an allowed dimensions shortens the vectors', async () => {
    const answer = await client.embeddings.create({ model: DEMO_EMBEDDING, input: TEXTS[0], dimensions: 16 });
    expect(answer.data[0].embedding).to.have.length(16);
  });

  it('a refused request is an APIError carrying the status, type, param and code', async () => {
    try {
      await client.embeddings.create({ model: DEMO_EMBEDDING, input: TEXTS[0], dimensions: 3 });
      expect.fail('the request should have been refused');
    } catch (error) {
      expect(error).to.be.instanceOf(OpenAI.BadRequestError);
      const apiError = error as InstanceType<typeof OpenAI.APIError>;
      expect(apiError.status).to.equal(400);
      expect(apiError.type).to.equal('invalid_request_error');
      expect(apiError.param).to.equal('dimensions');
      expect(apiError.code).to.equal('invalid_request');
      expect(apiError.message).to.include('"dimensions" 3 is not supported');
    }
  });

  it('models.list lists the embedding models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).to.deep.equal([DEMO_EMBEDDING]);
    const model = await client.models.retrieve(DEMO_EMBEDDING);
    expect(model.id).to.equal(DEMO_EMBEDDING);
  });
});
