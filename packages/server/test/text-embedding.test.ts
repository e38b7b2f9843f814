/** The demo text-embedding model over V1, V2 and OpenAI's API: properties of its vectors, and the three protocols agree. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tokenizers from '@huggingface/tokenizers';
import { expect } from 'chai';
import { getJson, post, postJson, readBinaryResponse } from '../../../test/support/http.js';
import { cosine, norm } from '../../../scripts/demo-models/vectors.js';
import { DEMO_EMBEDDING, decodeBase64Vector } from '../../../test/support/embeddings.js';
import { DEMO_REPOSITORY, serveRepository } from '../../../test/support/server.js';
import type { InferenceServer } from '../src/index.js';
import { MAX_TEXT_CHARS_PER_TOKEN } from '../src/runtime/text-tokenizer.js';

/** Unit length, within float32 rounding. */
const UNIT_NORM_TOLERANCE = 1e-5;
/** The same vector computed in another batch may differ in the last float32 bits. */
const SAME_VECTOR_TOLERANCE = 1e-6;

const TEXTS = ['The cat chased a dog.', 'a puppy and a kitten', 'rain and snow tomorrow', 'a guitar concert'];

describe('the demo text-embedding model', () => {
  let server: InferenceServer;
  let startedAt: number;
  const embeddingsUrl = (): string => `${server.url}/openai/v1/embeddings`;

  async function openAi(body: object): Promise<any> {
    const response = await postJson(embeddingsUrl(), { model: DEMO_EMBEDDING, ...body });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    return response.body;
  }

  async function embed(input: string | string[]): Promise<number[][]> {
    const body = await openAi({ input });
    return body.data.map((item: { embedding: number[] }) => item.embedding);
  }

  before(async () => {
    startedAt = Date.now();
    server = await serveRepository(DEMO_REPOSITORY);
  });

  after(async () => {
    await server?.close();
  });

  it('is deterministic: the same text gives the same vector on every call', async () => {
    const [first] = await embed(TEXTS[0]);
    const [second] = await embed(TEXTS[0]);
    expect(second).to.deep.equal(first);
  });

  it('gives unit vectors, as its config normalises', async () => {
    for (const vector of await embed(TEXTS)) expect(norm(vector)).to.be.closeTo(1, UNIT_NORM_TOLERANCE);
  });

  it('gives identical texts a cosine similarity of 1', async () => {
    const [a, b] = await embed([TEXTS[1], TEXTS[1]]);
    expect(cosine(a, b)).to.be.closeTo(1, UNIT_NORM_TOLERANCE);
  });

  it('gives a batch the same vectors as its items one by one', async () => {
    const batch = await embed(TEXTS);
    for (const [index, text] of TEXTS.entries()) {
      const [single] = await embed(text);
      single.forEach((value, dim) => expect(batch[index][dim]).to.be.closeTo(value, SAME_VECTOR_TOLERANCE));
    }
  });

  it('puts texts on one topic closer together than texts on different topics', async () => {
    const [cat, puppy, rain, guitar] = await embed(TEXTS);
    expect(cosine(cat, puppy)).to.be.greaterThan(cosine(cat, rain));
    expect(cosine(cat, puppy)).to.be.greaterThan(cosine(cat, guitar));
  });

  it('answers V1, V2 and OpenAI with the same vectors', async () => {
    const openAiVectors = await embed(TEXTS.slice(0, 2));
    const v1 = await postJson(`${server.url}/v1/models/${DEMO_EMBEDDING}:predict`, { instances: TEXTS.slice(0, 2) });
    expect(v1.status).to.equal(200);
    expect(v1.body.predictions).to.deep.equal(openAiVectors);
    const v2 = await postJson(`${server.url}/v2/models/${DEMO_EMBEDDING}/infer`, {
      inputs: [{ name: 'text', datatype: 'BYTES', shape: [2], data: TEXTS.slice(0, 2) }],
    });
    expect(v2.status).to.equal(200);
    const [output] = v2.body.outputs;
    expect(output).to.include({ name: 'embedding', datatype: 'FP32' });
    expect(output.shape).to.deep.equal([2, openAiVectors[0].length]);
    expect(output.data).to.deep.equal(openAiVectors.flat());
  });

  it('reads a V1 text given as TensorFlow Serving\'s {"b64": ...}, and refuses one that is not UTF-8', async () => {
    const [plain] = await embed(TEXTS[0]);
    const url = `${server.url}/v1/models/${DEMO_EMBEDDING}:predict`;
    const encoded = await postJson(url, { instances: [{ b64: Buffer.from(TEXTS[0]).toString('base64') }] });
    expect(encoded.status).to.equal(200);
    expect(encoded.body.predictions).to.deep.equal([plain]);
    const notText = await postJson(url, { instances: [{ b64: Buffer.from([0xff, 0xfe]).toString('base64') }] });
    expect(notText.status).to.equal(400);
    expect(notText.body.error).to.equal("input 'text': element 0 is not valid UTF-8");
  });

  it('answers a V2 tensor of zero texts with zero vectors, as any V2 model answers an empty batch', async () => {
    const [vector] = await embed('x');
    const url = `${server.url}/v2/models/${DEMO_EMBEDDING}/infer`;
    for (const shape of [[0], [0, 1]]) {
      const v2 = await postJson(url, { inputs: [{ name: 'text', datatype: 'BYTES', shape, data: [] }] });
      expect(v2.status, JSON.stringify(v2.body)).to.equal(200);
      expect(v2.body.outputs).to.deep.equal([
        { name: 'embedding', datatype: 'FP32', shape: [0, vector.length], data: [] },
      ]);
    }
  });

  it('gives an empty batch the vector length asked for', async () => {
    const { embedder } = server.repository.findReady(DEMO_EMBEDDING);
    const result = await embedder!.embed([], 16);
    expect(result).to.include({ count: 0, dimension: 16 });
    expect(result.vectors).to.have.length(0);
  });

  // More texts than a JavaScript call takes arguments: the batch's width must not be found with Math.max(...lengths).
  it('embeds a V2 batch of 150,000 texts', async () => {
    const count = 150_000;
    const header = {
      inputs: [{ name: 'text', datatype: 'BYTES', shape: [count], data: Array.from({ length: count }, () => 'a') }],
      parameters: { binary_data_output: true },
    };
    const url = `${server.url}/v2/models/${DEMO_EMBEDDING}/infer`;
    const response = await readBinaryResponse(
      await post(url, JSON.stringify(header), { 'content-type': 'application/json' }),
    );
    expect(response.status, JSON.stringify(response.json)).to.equal(200);
    expect(response.json.outputs[0].shape[0]).to.equal(count);
  });

  it('describes itself in V2 metadata as texts in, vectors out', async () => {
    const [vector] = await embed('x');
    const metadata = await getJson(`${server.url}/v2/models/${DEMO_EMBEDDING}`);
    expect(metadata.body.inputs).to.deep.equal([{ name: 'text', datatype: 'BYTES', shape: [-1] }]);
    expect(metadata.body.outputs).to.deep.equal([{ name: 'embedding', datatype: 'FP32', shape: [-1, vector.length] }]);
  });

  it('answers base64 vectors whose float32 bytes are the float vectors', async () => {
    const floats = await embed(TEXTS.slice(0, 2));
    const body = await openAi({ input: TEXTS.slice(0, 2), encoding_format: 'base64' });
    // JSON prints each float32 in its shortest form; Math.fround gives back the float32 itself.
    const float32s = floats.map((vector) => vector.map((value) => Math.fround(value)));
    expect(body.data.map((item: { embedding: string }) => decodeBase64Vector(item.embedding))).to.deep.equal(float32s);
  });

  it('reads token ids as the text they encode', async () => {
    const tokenizer = JSON.parse(
      await readFile(join(DEMO_REPOSITORY, DEMO_EMBEDDING, '1', 'tokenizer.json'), 'utf8'),
    ) as { model: { vocab: Record<string, number> } };
    // Every word of the text is in the vocabulary, so its ids are its words' ids.
    const tokenize = (text: string): number[] => text.split(' ').map((word) => tokenizer.model.vocab[word]);
    const text = 'a puppy and a kitten';
    const [fromText] = await embed(text);
    const body = await openAi({ input: [tokenize(text), tokenize(text)] });
    expect(body.data[0].embedding).to.deep.equal(fromText);
    const single = await openAi({ input: tokenize(text) });
    expect(single.data).to.have.length(1);
    expect(single.data[0].embedding).to.deep.equal(fromText);
  });

  it('counts prompt tokens with the tokenizer, [CLS] and [SEP] included', async () => {
    const body = await openAi({ input: ['hello world', 'cats'] });
    // hello world -> [CLS] hello world [SEP]; cats -> [CLS] cat ##s [SEP]
    expect(body.usage).to.deep.equal({ prompt_tokens: 8, total_tokens: 8 });
    expect(body).to.include({ object: 'list', model: DEMO_EMBEDDING });
    expect(body.data.map((item: { object: string; index: number }) => [item.object, item.index])).to.deep.equal([
      ['embedding', 0],
      ['embedding', 1],
    ]);
  });

  it('truncates inputs longer than the maximum sequence length', async () => {
    const long = Array.from({ length: 200 }, () => 'cat').join(' ');
    const body = await openAi({ input: [long, `${long} ${long}`] });
    // Both are cut to the same 64 tokens, so they are the same vector.
    expect(body.usage.prompt_tokens).to.equal(2 * 64);
    expect(body.data[1].embedding).to.deep.equal(body.data[0].embedding);
  });

  it('tokenises only the leading part of a text far longer than the model reads, which gives the same vector', async () => {
    const words = ['cat', 'dog', 'pizza', 'rain'];
    const long = Array.from({ length: 250_000 }, (_, index) => words[index % words.length]).join(' ');
    // Every text the server tokenises goes through the library's Tokenizer.encode, watched here.
    type Encode = (this: unknown, text: string, options?: object) => unknown;
    const { prototype } = tokenizers.Tokenizer as unknown as { prototype: { encode: Encode } };
    const { encode } = prototype;
    const lengths: number[] = [];
    prototype.encode = function (text, options) {
      lengths.push(text.length);
      return encode.call(this, text, options);
    };
    let body: any;
    try {
      body = await openAi({ input: [long, long.slice(0, 1000)] });
    } finally {
      prototype.encode = encode;
    }
    // The demo model reads 64 tokens; the whole text would have been a million characters.
    const read = lengths.reduce((sum, length) => sum + length, 0);
    expect(read).to.be.at.most(2 * 64 * MAX_TEXT_CHARS_PER_TOKEN);
    expect(body.usage.prompt_tokens).to.equal(2 * 64);
    expect(body.data[0].embedding).to.deep.equal(body.data[1].embedding);
  });

  it('gives the leading dimensions, renormalised, for an allowed `dimensions`', async () => {
    const [full] = await embed(TEXTS[0]);
    const body = await openAi({ input: TEXTS[0], dimensions: 16 });
    const short: number[] = body.data[0].embedding;
    expect(short).to.have.length(16);
    expect(norm(short)).to.be.closeTo(1, UNIT_NORM_TOLERANCE);
    const leading = full.slice(0, 16);
    expect(cosine(short, leading)).to.be.closeTo(1, UNIT_NORM_TOLERANCE);
    const same = await openAi({ input: TEXTS[0], dimensions: full.length });
    expect(same.data[0].embedding).to.deep.equal(full);
  });

  it('lists the embedding models, and only them, in OpenAI shape', async () => {
    const list = await getJson(`${server.url}/openai/v1/models`);
    expect(list.status).to.equal(200);
    expect(list.body.object).to.equal('list');
    expect(list.body.data.map((model: { id: string }) => model.id)).to.deep.equal([DEMO_EMBEDDING]);
    const [model] = list.body.data;
    expect(model).to.include({ object: 'model', owned_by: 'inferlens' });
    // Unix seconds of when the model became ready: while this server started.
    expect(Number.isInteger(model.created), String(model.created)).to.equal(true);
    expect(model.created).to.be.within(Math.floor(startedAt / 1000), Date.now() / 1000);
    const one = await getJson(`${server.url}/openai/v1/models/${DEMO_EMBEDDING}`);
    expect(one.body).to.deep.equal(model);
    for (const answer of [list, one]) expect(answer.headers.get('content-type')).to.equal('application/json');
  });
});
