/**
 * A real sentence-transformers model, all-MiniLM-L6-v2 exported to ONNX,
 * served from a repository folder as it was dropped there. It is too large
 * to commit: `bash scripts/fetch-real-embedding-model.sh` puts it under
 * .cache/models, and the test skips when it is not there.
 */
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { cosine, norm } from '../scripts/demo-models/vectors.js';
import { postJson } from './support/http.js';
import { serveRepository } from './support/server.js';
import type { InferenceServer } from '../packages/server/src/index.js';

const REPOSITORY = fileURLToPath(new URL('../.cache/models/', import.meta.url));
const MODEL = 'all-minilm-l6-v2';
/** all-MiniLM-L6-v2's hidden size. */
const DIMENSION = 384;
const UNIT_NORM_TOLERANCE = 1e-5;

describe('a real sentence-transformers model (all-MiniLM-L6-v2)', function () {
  let server: InferenceServer | undefined;

  before(async function () {
    const present = await access(`${REPOSITORY}${MODEL}/1/model.onnx`).then(
      () => true,
      () => false,
    );
    if (!present) {
      console.log(
        `    skipped: no ${MODEL} under .cache/models (bash scripts/fetch-real-embedding-model.sh puts it there)`,
      );
      this.skip();
    }
    server = await serveRepository(REPOSITORY);
  });

  after(async () => {
    await server?.close();
  });

  async function embed(input: string[]): Promise<{ vectors: number[][]; tokens: number }> {
    const response = await postJson(`${server!.url}/openai/v1/embeddings`, { model: MODEL, input });
    expect(response.status, JSON.stringify(response.body)).to.equal(200);
    return {
      vectors: response.body.data.map((item: { embedding: number[] }) => item.embedding),
      tokens: response.body.usage.prompt_tokens,
    };
  }

  it('loads with its own tokenizer and gives 384-dimensional unit vectors', async () => {
    const { vectors, tokens } = await embed(['hello world']);
    expect(vectors[0]).to.have.length(DIMENSION);
    expect(norm(vectors[0])).to.be.closeTo(1, UNIT_NORM_TOLERANCE);
    // [CLS] hello world [SEP], as BERT's uncased WordPiece splits it.
    expect(tokens).to.equal(4);
  });

  it('puts sentences with the same meaning closer together than unrelated ones', async () => {
    const { vectors } = await embed([
      'A man is eating food.',
      'A man is eating a piece of bread.',
      'The new movie is awesome.',
      'A man is riding a horse.',
    ]);
    const [food, bread, movie, horse] = vectors;
    expect(cosine(food, bread)).to.be.greaterThan(cosine(food, movie));
    expect(cosine(food, bread)).to.be.greaterThan(cosine(food, horse));
  });

  it('gives a padded batch the same vectors as its items one by one', async () => {
    const texts = ['short', 'a considerably longer sentence that needs many more tokens than the first'];
    const { vectors: batch } = await embed(texts);
    for (const [index, text] of texts.entries()) {
      const { vectors } = await embed([text]);
      expect(cosine(batch[index], vectors[0])).to.be.closeTo(1, UNIT_NORM_TOLERANCE);
    }
  });

  it('truncates at 256 tokens', async () => {
    const long = Array.from({ length: 400 }, () => 'word').join(' ');
    expect((await embed([long])).tokens).to.equal(256);
  });
});
