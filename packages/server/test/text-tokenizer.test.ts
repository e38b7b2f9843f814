/** The server's use of a Hugging Face tokenizer.json: special tokens, truncation and padding, on the demo tokenizer. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEMO_EMBEDDING, readDemoTokenizer } from '../../../test/support/embeddings.js';
import { DEMO_REPOSITORY } from '../../../test/support/server.js';
import { TextTokenizer } from '../src/runtime/text-tokenizer.js';

const TOKENIZER_PATH = join(DEMO_REPOSITORY, DEMO_EMBEDDING, '1', 'tokenizer.json');

describe('TextTokenizer', () => {
  let tokenizer: TextTokenizer;

  before(async () => {
    tokenizer = await TextTokenizer.load(TOKENIZER_PATH);
  });

  it("reads the file's truncation length, padding id and vocabulary", () => {
    expect(tokenizer.maxLength).to.equal(64);
    expect(tokenizer.padId).to.equal(0);
    expect(tokenizer.vocabularySize).to.be.greaterThan(100);
    expect(tokenizer.specialTokenCount).to.equal(2);
  });

  it('splits words into WordPiece tokens, lower-cased', () => {
    const [cat, suffix] = tokenizer.encode('Cats');
    expect(tokenizer.encode('cat')).to.deep.equal([cat]);
    expect(suffix).to.be.a('number');
  });

  // The ids below are what Hugging Face's tokenizers library (the Rust one that
  // sentence-transformers uses) gives for the demo tokenizer.json.
  it('splits a CJK ideograph outside the Basic Multilingual Plane off the word around it, as Hugging Face tokenizers does', () => {
    expect(tokenizer.encode('cat\u{20000}dog'), 'extension B').to.deep.equal([5, 1, 6]);
    expect(tokenizer.encode('cat\u{2B920}dog'), 'extension E').to.deep.equal([5, 1, 6]);
    expect(tokenizer.encode('cat\u{2F800}dog'), 'a compatibility ideograph').to.deep.equal([5, 1, 6]);
    expect(tokenizer.encode('cat\u{2B820}dog'), 'a code point its ranges skip').to.deep.equal([1]);
  });

  it('lower-cases a capital sigma to σ wherever it stands, as Hugging Face tokenizers does', async () => {
    const demo = await readDemoTokenizer();
    const model = demo.model as { vocab: Record<string, number> };
    const vocab = { ...model.vocab, σ: 153, ς: 154, '##σ': 155, '##ς': 156 };
    const dir = await mkdtemp(join(tmpdir(), 'inferlens-tokenizer-'));
    try {
      const path = join(dir, 'tokenizer.json');
      await writeFile(path, JSON.stringify({ ...demo, model: { ...model, vocab } }));
      const greek = await TextTokenizer.load(path);
      // Hugging Face tokenizers' ids for the demo tokenizer.json with these four tokens added.
      expect(greek.encode('ΣΣ'), 'a final capital sigma').to.deep.equal([153, 155]);
      expect(greek.encode('σς ΣΣ'), 'a small final sigma stays').to.deep.equal([153, 156, 153, 155]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('wraps a sequence in [CLS] and [SEP], and cuts its own tokens to fit, keeping [SEP]', () => {
    const tokens = tokenizer.encode('cat dog pizza rain');
    const whole = tokenizer.sequence(tokens, 64);
    expect(whole.truncated).to.equal(false);
    expect(whole.ids.slice(1, -1)).to.deep.equal(tokens);
    const [cls, sep] = [whole.ids[0], whole.ids[whole.ids.length - 1]];
    const cut = tokenizer.sequence(tokens, 4);
    expect(cut).to.deep.equal({ ids: [cls, tokens[0], tokens[1], sep], truncated: true });
    const exact = tokenizer.sequence(tokens, tokens.length + 2);
    expect(exact, 'a sequence that just fits').to.deep.equal({ ids: whole.ids, truncated: false });
  });

  it('names the file when it cannot be read', async () => {
    try {
      await TextTokenizer.load('/nonexistent/tokenizer.json');
      expect.fail('loading should have failed');
    } catch (error) {
      expect((error as Error).message).to.equal('tokenizer /nonexistent/tokenizer.json: not found');
    }
  });
});
