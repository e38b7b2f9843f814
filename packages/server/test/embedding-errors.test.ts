/** Text-embedding models: bad requests on every protocol, model configs, and models that cannot load. */
import { expect } from 'chai';
import type { JsonResponse } from '../../../test/support/http.js';
import { expectError, getJson, post, postJson, readJson } from '../../../test/support/http.js';
import { norm } from '../../../scripts/demo-models/vectors.js';
import { dataType, encodeModel, initializer, node, valueInfo } from '../../../scripts/onnx/graph.js';
import {
  DEMO_EMBEDDING,
  decodeBase64Vector,
  readDemoTokenizer,
  serveEmbeddingModels,
} from '../../../test/support/embeddings.js';
import { GARBAGE_MODEL } from '../../../test/support/repository.js';
import { DEMO_REPOSITORY, serveRepository } from '../../../test/support/server.js';
import type { InferenceServer } from '../src/index.js';

/** OpenAI's error shape, with the status, type, code and `param` (the request field at fault, or null) expected. */
function expectOpenAiError(
  response: JsonResponse,
  status: number,
  code: string,
  message: RegExp,
  param: string | null = null,
): void {
  expect(response.status, JSON.stringify(response.body)).to.equal(status);
  expect(Object.keys(response.body as object)).to.deep.equal(['error']);
  expect(Object.keys(response.body.error as object)).to.deep.equal(['message', 'type', 'param', 'code']);
  expect(response.body.error.type).to.equal(status >= 500 ? 'server_error' : 'invalid_request_error');
  expect(response.body.error.param).to.equal(param);
  expect(response.body.error.code).to.equal(code);
  expect(response.body.error.message).to.match(message);
}

/**
 * Token ids as one-component token vectors, reshaped to one row: it loads
 * (its probe is one text), but onnxruntime throws inside `session.run` for
 * a batch of more than one input.
 */
function oneRowEmbeddingModel(): Uint8Array {
  return encodeModel({
    name: 'one_row_embedding',
    inputs: [valueInfo('input_ids', 'int64', ['batch', 'sequence'])],
    outputs: [valueInfo('last_hidden_state', 'float32', ['batch', 'sequence', 1])],
    initializers: [initializer('one_row', 'int64', [2], [1, 0]), initializer('last_axis', 'int64', [1], [-1])],
    nodes: [
      node('Reshape', ['input_ids', 'one_row'], ['row']),
      node('Cast', ['row'], ['values'], { to: dataType('float32') }),
      node('Unsqueeze', ['values', 'last_axis'], ['last_hidden_state']),
    ],
  });
}

/**
 * Every token's one-component vector is the batch size of the run it was
 * in, so that a vector tells how many sequences the graph read at once.
 */
function batchSizeEmbeddingModel(): Uint8Array {
  return encodeModel({
    name: 'batch_size_embedding',
    inputs: [valueInfo('input_ids', 'int64', ['batch', 'sequence'])],
    outputs: [valueInfo('last_hidden_state', 'float32', ['batch', 'sequence', 1])],
    initializers: [
      initializer('first', 'int64', [1], [0]),
      initializer('zero', 'float32', [1], [0]),
      initializer('last_axis', 'int64', [1], [-1]),
    ],
    nodes: [
      node('Shape', ['input_ids'], ['shape']),
      node('Gather', ['shape', 'first'], ['batch']),
      node('Cast', ['batch'], ['batch_size'], { to: dataType('float32') }),
      node('Cast', ['input_ids'], ['ids'], { to: dataType('float32') }),
      node('Mul', ['ids', 'zero'], ['zeros']),
      node('Add', ['zeros', 'batch_size'], ['filled']),
      node('Unsqueeze', ['filled', 'last_axis'], ['last_hidden_state']),
    ],
  });
}

/** Every token's one-component vector is the logarithm of its id negated: NaN (-Infinity for id 0). */
function nanEmbeddingModel(): Uint8Array {
  return encodeModel({
    name: 'nan_embedding',
    inputs: [valueInfo('input_ids', 'int64', ['batch', 'sequence'])],
    outputs: [valueInfo('last_hidden_state', 'float32', ['batch', 'sequence', 1])],
    initializers: [initializer('minus_one', 'float32', [1], [-1]), initializer('last_axis', 'int64', [1], [-1])],
    nodes: [
      node('Cast', ['input_ids'], ['ids'], { to: dataType('float32') }),
      node('Mul', ['ids', 'minus_one'], ['negated']),
      node('Log', ['negated'], ['logs']),
      node('Unsqueeze', ['logs', 'last_axis'], ['last_hidden_state']),
    ],
  });
}

/** Unit length, within float32 rounding. */
const UNIT_NORM_TOLERANCE = 1e-5;

describe('text-embedding errors', () => {
  describe('on the demo repository', () => {
    let server: InferenceServer;
    const embeddings = (body: unknown): Promise<JsonResponse> => postJson(`${server.url}/openai/v1/embeddings`, body);

    before(async () => {
      server = await serveRepository(DEMO_REPOSITORY);
    });

    after(async () => {
      await server?.close();
    });

    const badRequests: [string, unknown, RegExp, string | null][] = [
      ['a body that is not an object', [1, 2], /JSON object with "model" and "input"/, null],
      ['no model', { input: 'x' }, /"model" must be a non-empty string/, 'model'],
      ['no input', { model: DEMO_EMBEDDING }, /"input" is required/, 'input'],
      [
        'an input of the wrong type',
        { model: DEMO_EMBEDDING, input: 3 },
        /"input" must be a string, an array/,
        'input',
      ],
      ['an empty input array', { model: DEMO_EMBEDDING, input: [] }, /must not be an empty array/, 'input'],
      ['a mixed input array', { model: DEMO_EMBEDDING, input: ['a', { text: 'b' }] }, /"input"\[1\] must be/, 'input'],
      [
        'a fractional token id',
        { model: DEMO_EMBEDDING, input: [1, 2.5] },
        /"input"\[1\] must be a non-negative/,
        'input',
      ],
      [
        'an empty token array',
        { model: DEMO_EMBEDDING, input: [[]] },
        /"input"\[0\] must not be an empty array/,
        'input',
      ],
      [
        'too many inputs',
        { model: DEMO_EMBEDDING, input: Array.from({ length: 2049 }, () => 'a') },
        /holds 2049 inputs; at most 2048/,
        'input',
      ],
      [
        'an unknown encoding',
        { model: DEMO_EMBEDDING, input: 'a', encoding_format: 'int8' },
        /"encoding_format"/,
        'encoding_format',
      ],
      [
        'dimensions of zero',
        { model: DEMO_EMBEDDING, input: 'a', dimensions: 0 },
        /"dimensions" must be a positive/,
        'dimensions',
      ],
      [
        'dimensions the model does not allow',
        { model: DEMO_EMBEDDING, input: 'a', dimensions: 20 },
        /"dimensions" 20 is not supported by this model; it allows 16, 32/,
        'dimensions',
      ],
      [
        'a user that is not a string',
        { model: DEMO_EMBEDDING, input: 'a', user: 3 },
        /"user" must be a string/,
        'user',
      ],
      ['a model of another task', { model: 'iris', input: 'a' }, /'iris' is not a text-embedding model/, null],
    ];
    for (const [what, body, message, param] of badRequests) {
      it(`answers 400 in OpenAI's shape to ${what}`, async () => {
        const response = await embeddings(body);
        expectOpenAiError(response, 400, 'invalid_request', message, param);
      });
    }

    it('answers 400 to a token id outside the vocabulary', async () => {
      expectOpenAiError(
        await embeddings({
          model: DEMO_EMBEDDING,
          input: [
            [2, 3],
            [5, 100000],
          ],
        }),
        400,
        'invalid_input',
        /input 1: token id 100000 is outside the model's vocabulary/,
        'input',
      );
      // The demo tokenizer has 153 tokens: 153 is the first id past the last one.
      expectOpenAiError(
        await embeddings({ model: DEMO_EMBEDDING, input: [[2, 153]] }),
        400,
        'invalid_input',
        /^input 0: token id 153 is outside the model's vocabulary \(0 to 152\)$/,
        'input',
      );
    });

    it('answers 404 model_not_found to an unknown model', async () => {
      expectOpenAiError(await embeddings({ model: 'nope', input: 'a' }), 404, 'model_not_found', /'nope'/);
      expectOpenAiError(
        await getJson(`${server.url}/openai/v1/models/nope`),
        404,
        'model_not_found',
        /'nope' is not in the repository/,
      );
    });

    // OpenAI answers 404 for a model its list leaves out; using such a model for embeddings stays a 400 (above).
    it('answers 404 model_not_found to retrieving a model of another task, which the list leaves out', async () => {
      expectOpenAiError(
        await getJson(`${server.url}/openai/v1/models/iris`),
        404,
        'model_not_found',
        /'iris' is not a text-embedding model \(its task is 'classification'\)/,
      );
    });

    it('answers bodies that are not JSON in OpenAI shape', async () => {
      const url = `${server.url}/openai/v1/embeddings`;
      const notJson = await readJson(await post(url, '{"model":', { 'content-type': 'application/json' }));
      expectOpenAiError(notJson, 400, 'invalid_request', /not valid JSON/);
      const text = await readJson(await post(url, 'model=x', { 'content-type': 'text/plain' }));
      expectOpenAiError(text, 415, 'unsupported_media_type', /Content-Type must be application\/json/);
    });

    it('answers a text that is no Unicode, bytes or escapes, in OpenAI shape rather than embed U+FFFD', async () => {
      const url = `${server.url}/openai/v1/embeddings`;
      const latin1 = Buffer.concat([
        Buffer.from(`{"model":"${DEMO_EMBEDDING}","input":"caf`),
        Buffer.from([0xe9, 0x22, 0x7d]),
      ]);
      const notUtf8 = await readJson(await post(url, latin1, { 'content-type': 'application/json' }));
      expectOpenAiError(notUtf8, 400, 'invalid_request', /not valid UTF-8/);
      const lone = await readJson(
        await post(url, `{"model":"${DEMO_EMBEDDING}","input":["ok","a\\ud800b"]}`, {
          'content-type': 'application/json',
        }),
      );
      expectOpenAiError(lone, 400, 'invalid_request', /holds \\ud800, half a surrogate pair/);
    });

    it('answers unknown OpenAI routes in OpenAI shape, and the root /v1/embeddings with a 404 naming the path', async () => {
      expectOpenAiError(await getJson(`${server.url}/openai/v1/nothing`), 404, 'route_not_found', /GET/);
      // Express routes in any letter case, and the answers keep OpenAI's shape in every one.
      expectOpenAiError(await getJson(`${server.url}/OpenAI/v1/nothing`), 404, 'route_not_found', /GET/);
      expectOpenAiError(await getJson(`${server.url}/OpenAI/v1/models/nope`), 404, 'model_not_found', /'nope'/);
      const root = await postJson(`${server.url}/v1/embeddings`, { model: DEMO_EMBEDDING, input: 'a' });
      expectError(
        root,
        404,
        'no endpoint answers POST /v1/embeddings; OpenAI embeddings are served at POST /openai/v1/embeddings ' +
          "(an OpenAI client's base URL is this server's /openai/v1)",
      );
    });

    it('answers V1 instances that are not texts with 400', async () => {
      const url = `${server.url}/v1/models/${DEMO_EMBEDDING}:predict`;
      expectError(await postJson(url, { instances: [[1, 2]] }), 400, 'one text per instance');
      expectError(await postJson(url, { inputs: { text: ['a'] } }), 400, 'one text per instance');
    });

    it('answers V2 inputs that are not one BYTES tensor of texts with 400', async () => {
      const url = `${server.url}/v2/models/${DEMO_EMBEDDING}/infer`;
      const text = { name: 'text', datatype: 'BYTES', shape: [1], data: ['a'] };
      const numbers = { name: 'text', datatype: 'FP32', shape: [1], data: [1] };
      expectError(await postJson(url, { inputs: [numbers] }), 400, "'text' FP32");
      expectError(await postJson(url, { inputs: [text, { ...text, name: 'more' }] }), 400, 'one BYTES input');
      const matrix = { name: 'text', datatype: 'BYTES', shape: [1, 2], data: ['a', 'b'] };
      expectError(await postJson(url, { inputs: [matrix] }), 400, 'expected shape [n] or [n, 1]');
      expectError(
        await postJson(url, { inputs: [text], outputs: [{ name: 'last_hidden_state' }] }),
        400,
        "no output 'last_hidden_state'",
      );
    });
  });

  describe('model configs', () => {
    it('pools the [CLS] token without normalising when the config says so', async () => {
      const served = await serveEmbeddingModels([
        { config: { task: 'text_embedding', embedding: { pooling: 'cls', normalize: false } } },
      ]);
      try {
        const response = await postJson(`${served.server.url}/openai/v1/embeddings`, {
          model: DEMO_EMBEDDING,
          input: ['a cat', 'rain tomorrow'],
        });
        const [cat, rain] = response.body.data.map((item: { embedding: number[] }) => item.embedding);
        // The demo model gives each token its own vector whatever its neighbours: every text's [CLS] vector is the same.
        expect(cat).to.deep.equal(rain);
        expect(norm(cat)).to.be.lessThan(1);
      } finally {
        await served.close();
      }
    });

    it('normalises to unit length when the config does not say', async () => {
      const served = await serveEmbeddingModels([{ config: { task: 'text_embedding', embedding: {} } }]);
      try {
        const response = await postJson(`${served.server.url}/openai/v1/embeddings`, {
          model: DEMO_EMBEDDING,
          input: ['a cat', 'rain tomorrow'],
        });
        for (const item of response.body.data) expect(norm(item.embedding)).to.be.closeTo(1, UNIT_NORM_TOLERANCE);
      } finally {
        await served.close();
      }
    });

    it('truncates at the configured length, and caps the batch at maxBatchSize', async () => {
      const served = await serveEmbeddingModels([
        { config: { task: 'text_embedding', maxBatchSize: 2, embedding: { maxSequenceLength: 8 } } },
      ]);
      try {
        const url = `${served.server.url}/openai/v1/embeddings`;
        const long = Array.from({ length: 20 }, () => 'cat').join(' ');
        const response = await postJson(url, { model: DEMO_EMBEDDING, input: [long, 'cat'] });
        expect(response.body.usage.prompt_tokens).to.equal(8 + 3);
        expectOpenAiError(
          await postJson(url, { model: DEMO_EMBEDDING, input: ['a', 'b', 'c'] }),
          400,
          'invalid_input',
          /^batch size 3 exceeds the model's maximum of 2$/,
        );
      } finally {
        await served.close();
      }
    });

    it('truncates at 512 tokens when neither the config nor tokenizer.json sets a length', async () => {
      const tokenizer = JSON.stringify({ ...(await readDemoTokenizer()), truncation: null });
      const served = await serveEmbeddingModels([{ tokenizer, config: { task: 'text_embedding', embedding: {} } }]);
      try {
        const long = Array.from({ length: 600 }, () => 'cat').join(' ');
        const response = await postJson(`${served.server.url}/openai/v1/embeddings`, {
          model: DEMO_EMBEDDING,
          input: long,
        });
        expect(response.body.usage.prompt_tokens).to.equal(512);
      } finally {
        await served.close();
      }
    });

    it("refuses an OpenAI request of more than 300,000 tokens, OpenAI's cap, with 400", async () => {
      const served = await serveEmbeddingModels([
        { config: { task: 'text_embedding', embedding: { maxSequenceLength: 1024 } } },
      ]);
      try {
        const url = `${served.server.url}/openai/v1/embeddings`;
        // 2,000 inputs of 148 ids and [CLS] [SEP]: 300,000 tokens, the most a request may hold.
        const ids = Array.from({ length: 148 }, () => 5);
        const atCap = await postJson(url, { model: DEMO_EMBEDDING, input: Array.from({ length: 2000 }, () => ids) });
        expect(atCap.body.usage.prompt_tokens).to.equal(300_000);
        expectOpenAiError(
          await postJson(url, { model: DEMO_EMBEDDING, input: Array.from({ length: 2001 }, () => ids) }),
          400,
          'invalid_request',
          /^the inputs hold 300150 tokens; at most 300000 are allowed per request$/,
          'input',
        );
      } finally {
        await served.close();
      }
    });

    it('runs the graph on at most 32 inputs at a time, as sentence-transformers batches them', async () => {
      const served = await serveEmbeddingModels([
        {
          model: batchSizeEmbeddingModel(),
          config: { task: 'text_embedding', embedding: { pooling: 'cls', normalize: false } },
        },
      ]);
      try {
        const response = await postJson(`${served.server.url}/openai/v1/embeddings`, {
          model: DEMO_EMBEDDING,
          input: Array.from({ length: 70 }, () => 'cat'),
        });
        const batchSizes = (response.body.data as { embedding: number[] }[]).map(({ embedding }) => embedding[0]);
        expect(batchSizes).to.deep.equal([...Array(64).fill(32), ...Array(6).fill(6)]);
      } finally {
        await served.close();
      }
    });

    it("answers 500 server_error in OpenAI's shape when the model fails while it runs", async () => {
      const served = await serveEmbeddingModels([
        { model: oneRowEmbeddingModel(), config: { task: 'text_embedding', embedding: { pooling: 'mean' } } },
      ]);
      try {
        const url = `${served.server.url}/openai/v1/embeddings`;
        expect((await postJson(url, { model: DEMO_EMBEDDING, input: 'a cat' })).status).to.equal(200);
        const failed = await postJson(url, { model: DEMO_EMBEDDING, input: ['a cat', 'rain'] });
        expectOpenAiError(failed, 500, 'internal', /^onnxruntime failed to run the model: .*Reshape/);
      } finally {
        await served.close();
      }
    });

    it("answers a NaN vector as a 500 in OpenAI's float format, as it is in base64, and as NaN over V1", async () => {
      const served = await serveEmbeddingModels([
        {
          model: nanEmbeddingModel(),
          config: { task: 'text_embedding', embedding: { pooling: 'cls', normalize: false } },
        },
      ]);
      try {
        const url = `${served.server.url}/openai/v1/embeddings`;
        const float = await postJson(url, { model: DEMO_EMBEDDING, input: ['a cat', 'rain'] });
        expectOpenAiError(
          float,
          500,
          'internal',
          /^embedding 0 holds NaN, which OpenAI's float format \(JSON numbers\) cannot carry; encoding_format "base64"/,
        );
        const base64 = await postJson(url, { model: DEMO_EMBEDDING, input: 'a cat', encoding_format: 'base64' });
        expect(base64.status).to.equal(200);
        expect(decodeBase64Vector(base64.body.data[0].embedding as string)).to.deep.equal([NaN]);
        const v1 = await post(`${served.server.url}/v1/models/${DEMO_EMBEDDING}:predict`, '{"instances":["a cat"]}', {
          'content-type': 'application/json',
        });
        expect(await v1.text()).to.equal('{"predictions":[[NaN]]}');
      } finally {
        await served.close();
      }
    });

    it('lists a model whose higher version failed to load, as the lower one that embeddings and retrieval serve', async () => {
      const served = await serveEmbeddingModels([{ moreVersions: { '2': GARBAGE_MODEL } }]);
      try {
        const url = `${served.server.url}/openai/v1`;
        expect((await postJson(`${url}/embeddings`, { model: DEMO_EMBEDDING, input: 'a' })).status).to.equal(200);
        const one = await getJson(`${url}/models/${DEMO_EMBEDDING}`);
        expect(one.body).to.include({ id: DEMO_EMBEDDING, object: 'model' });
        const list = await getJson(`${url}/models`);
        expect(list.body.data).to.deep.equal([one.body]);
      } finally {
        await served.close();
      }
    });

    it('keeps a model that cannot serve as failed, with its reason, and serves the others', async () => {
      const served = await serveEmbeddingModels([
        { name: 'no-tokenizer', withoutTokenizer: true },
        { name: 'needs-pooled', config: { task: 'text_embedding', embedding: { pooling: 'none' } } },
        { name: 'too-long', config: { task: 'text_embedding', embedding: { dimensions: [64] } } },
        { name: 'bad-pooling', config: { task: 'text_embedding', embedding: { pooling: 'max' } } },
        { name: 'no-room', config: { task: 'text_embedding', embedding: { maxSequenceLength: 2 } } },
        { name: 'not-embedding', config: { task: 'generic', embedding: {} } },
        { name: 'fine' },
      ]);
      try {
        const reasons: Record<string, RegExp> = {
          'no-tokenizer': /tokenizer no-tokenizer\/1\/tokenizer\.json: not found/,
          'needs-pooled': /no output 'sentence_embedding'/,
          'too-long': /lists 64, longer than the model's 32/,
          'bad-pooling': /"embedding.pooling" must be one of mean, cls, none/,
          'no-room': /the maximum sequence length 2 leaves no room beside the special tokens/,
          'not-embedding': /"embedding" settings need "task": "text_embedding"/,
        };
        for (const [name, reason] of Object.entries(reasons)) {
          const ready = await getJson(`${served.server.url}/v2/models/${name}/ready`);
          expectError(ready, 503, reason);
        }
        const fine = await postJson(`${served.server.url}/openai/v1/embeddings`, { model: 'fine', input: 'a' });
        expect(fine.status).to.equal(200);
        const list = await getJson(`${served.server.url}/openai/v1/models`);
        expect(list.body.data.map((model: { id: string }) => model.id)).to.deep.equal(['fine']);
      } finally {
        await served.close();
      }
    });
  });
});
