/** The server's use of a Hugging Face tokenizer.json: special tokens, truncation and padding, on the demo tokenizer. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEMO_EMBEDDING, readDemoTokenizer } from '../../../test/support/embeddings.js';
import { DEMO_REPOSITORY } from '../../../test/support/server.js';
import { MAX_TEXT_CHARS_PER_TOKEN, TextTokenizer } from '../src/runtime/text-tokenizer.js';

const TOKENIZER_PATH = join(DEMO_REPOSITORY, DEMO_EMBEDDING, '1', 'tokenizer.json');

/** The demo tokenizer with tokens added to its vocabulary, its normalizer's settings and its other parts changed. */
async function loadWithVocab(
  tokens: Record<string, number>,
  normalizer: object = {},
  parts: object = {},
): Promise<TextTokenizer> {
  const demo = await readDemoTokenizer();
  const model = demo.model as { vocab: Record<string, number> };
  const vocab = { ...model.vocab, ...tokens };
  const dir = await mkdtemp(join(tmpdir(), 'inferlens-tokenizer-'));
  try {
    const path = join(dir, 'tokenizer.json');
    const json = {
      ...demo,
      normalizer: { ...(demo.normalizer as object), ...normalizer },
      model: { ...model, vocab },
      ...parts,
    };
    await writeFile(path, JSON.stringify(json));
    return await TextTokenizer.load(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

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
    const greek = await loadWithVocab({ σ: 153, ς: 154, '##σ': 155, '##ς': 156 });
    // Hugging Face tokenizers' ids for the demo tokenizer.json with these four tokens added.
    expect(greek.encode('ΣΣ'), 'a final capital sigma').to.deep.equal([153, 155]);
    expect(greek.encode('σς ΣΣ'), 'a small final sigma stays').to.deep.equal([153, 156, 153, 155]);
  });

  // Hugging Face tokenizers reads general categories from Unicode 8.0 tables, and
  // decomposes with tables older than Unicode 13; Node's are newer. The ids are
  // the Rust library's for the demo tokenizer.json with these tokens added.
  describe("reads characters as Unicode 8.0 did, as Hugging Face tokenizers' tables do", () => {
    let extended: TextTokenizer;

    before(async () => {
      extended = await loadWithVocab({ '##dog': 153, '\u{105C9}': 154, '\u{105D2}': 155 });
    });

    it('keeps a nonspacing mark added after Unicode 8.0 in its word rather than stripping it as an accent', () => {
      expect(extended.encode('catdog')).to.deep.equal([5, 153]);
      expect(extended.encode('cat\u08D4dog'), 'ARABIC SMALL HIGH WORD AR-RUB, Unicode 9.0').to.deep.equal([1]);
    });

    it('keeps a format character added after Unicode 8.0 in its word rather than removing it', () => {
      expect(extended.encode('cat\u0890dog'), 'ARABIC POUND MARK ABOVE, Unicode 14.0').to.deep.equal([1]);
      expect(extended.encode('cat\u200Bdog'), 'ZERO WIDTH SPACE, a format character in 8.0').to.deep.equal([5, 153]);
    });

    it('keeps punctuation added after Unicode 8.0 in its word rather than splitting there', () => {
      expect(extended.encode('cat\u2E55dog'), 'LEFT SQUARE BRACKET WITH STROKE, Unicode 14.0').to.deep.equal([1]);
    });

    it('leaves a character added after Unicode 8.0 whole rather than decomposing it', () => {
      expect(extended.encode('\u{105C9}'), 'a Vithkuqi letter with a decomposition in Unicode 16.0').to.deep.equal([
        154,
      ]);
    });

    it('reads a character whose category Unicode changed after 8.0 by its Unicode 8.0 category', () => {
      expect(extended.encode('cat\u166Ddog'), 'CANADIAN SYLLABICS CHI SIGN, punctuation in 8.0').to.deep.equal([
        5, 1, 6,
      ]);
      expect(extended.encode('cat\u{111C9}dog'), 'SHARADA SANDHI MARK, punctuation in 8.0').to.deep.equal([5, 1, 6]);
      expect(extended.encode('cat\u1734dog'), 'HANUNOO SIGN PAMUDPOD, a nonspacing mark in 8.0').to.deep.equal([
        5, 153,
      ]);
      expect(
        extended.encode('cat\u{1171E}dog'),
        'AHOM CONSONANT SIGN MEDIAL RA, a nonspacing mark in 8.0',
      ).to.deep.equal([5, 153]);
      expect(extended.encode('cat\u1885dog'), 'MONGOLIAN LETTER ALI GALI BALUDA, a letter in 8.0').to.deep.equal([1]);
    });

    it('removes every private-use character, as the reference does', () => {
      // Hugging Face tokenizers 0.23.3 removes those inside each range too, not only its two ends.
      expect(extended.encode('cat\uE000dog'), 'the first private-use character').to.deep.equal([5, 153]);
      expect(extended.encode('cat\u{10FFFD}dog'), 'the last one').to.deep.equal([5, 153]);
      expect(extended.encode('cat\uE001dog'), 'one inside the first range').to.deep.equal([5, 153]);
      expect(extended.encode('cat\uF8FEdog'), 'one inside the first range, at its end').to.deep.equal([5, 153]);
      expect(extended.encode('cat\u{F0001}dog'), 'one inside a range past the BMP').to.deep.equal([5, 153]);
    });

    it('reads the tab and line breaks as white space, not as control characters to remove', () => {
      expect(extended.encode('cat\tdog\r\ncat')).to.deep.equal([5, 6, 5]);
    });

    it('splits at ASCII symbols as punctuation, whatever their category', () => {
      expect(extended.encode('cat$dog+cat')).to.deep.equal([5, 1, 6, 1, 5]);
    });

    it('splits words at every White_Space character, as the Rust library does', async () => {
      const uncleaned = await loadWithVocab({}, { clean_text: false });
      expect(uncleaned.encode('cat\u0085dog'), "NEXT LINE, which JavaScript's \\s leaves out").to.deep.equal([5, 6]);
    });
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

  it('gives a text far longer than the model reads the sequence of the whole text, and counts it as truncated', () => {
    const repeated = (part: string): string =>
      part.repeat(Math.ceil((3 * 64 * MAX_TEXT_CHARS_PER_TOKEN) / part.length));
    const texts = {
      'words and single spaces': repeated('cat dog pizza '),
      'runs of whitespace': repeated('rain \n\t  snow   '),
      'no whitespace at all': repeated('a,b.'),
      'ideographs outside the BMP, no whitespace': repeated('\u{20000}猫'),
    };
    for (const [what, text] of Object.entries(texts)) {
      const sequence = tokenizer.textSequence(text, 64);
      expect(sequence, what).to.deep.equal(tokenizer.sequence(tokenizer.encode(text), 64));
      expect(sequence.truncated, what).to.equal(true);
    }
    const short = 'cat dog';
    expect(tokenizer.textSequence(short, 64)).to.deep.equal(tokenizer.sequence(tokenizer.encode(short), 64));
  });

  describe('of a text far longer than the model reads', () => {
    it('gives the tokens of the whole text when a word longer than WordPiece reads comes first', () => {
      const text = `${'a'.repeat(6399)} cat dog`;
      const whole = tokenizer.sequence(tokenizer.encode(text), 64);
      expect(whole.ids.slice(1, -1), '[UNK] cat dog').to.deep.equal([1, 5, 6]);
      expect(tokenizer.textSequence(text, 64)).to.deep.equal(whole);
    });

    it('splits a long word where accent stripping decomposes a character into punctuation, as the whole text is split', () => {
      for (const char of ['\u1FEF', '\u2260', '\u226E', '\u226F']) {
        const text = `${'a'.repeat(600)}${char}${'a'.repeat(600)} cat`;
        const whole = tokenizer.sequence(tokenizer.encode(text), 64);
        expect(whole.ids.length, `[UNK] ${char} [UNK] cat`).to.equal(6);
        expect(tokenizer.textSequence(text, 64), `U+${char.codePointAt(0)?.toString(16)}`).to.deep.equal(whole);
      }
    });

    it('gives the tokens of the whole text after megabytes of white space or of one word', () => {
      const [cat, dog] = tokenizer.encode('cat dog');
      const megabytes = 16 * 1024 * 1024;
      const spaces = tokenizer.textSequence(`${' '.repeat(megabytes)}cat`, 64);
      expect(spaces).to.deep.equal({ ids: [2, cat, 3], truncated: false });
      const word = tokenizer.textSequence(`${'a'.repeat(megabytes)} cat\u3000\u3000dog`, 64);
      expect(word).to.deep.equal({ ids: [2, 1, cat, dog, 3], truncated: false });
    });

    // Texts made of the characters the normaliser removes, strips, splits at or
    // spaces out, of words either side of WordPiece's 100 characters, and of
    // the special tokens, each read whole and read for its leading tokens.
    const PARTS = [
      'cat',
      'dog',
      'Cats',
      'xax',
      ' ',
      '   ',
      '\t\n',
      '\r',
      '\u3000',
      '\u00A0',
      '\u000B',
      '\u000C',
      '\u0085',
      '\u200B',
      '\u0301',
      '\u0345',
      'é',
      'e\u0301',
      '.',
      ',',
      '!',
      '#',
      '[',
      ']',
      '[CLS]',
      '[MASK]',
      '[UNK',
      '猫',
      '\u{20000}',
      '\u{2B820}',
      'Σ',
      'İ',
      '한',
      '\uD800',
      '\uDC00',
      '\uFFFD',
      '\0',
      '\u037E',
      '\u2329',
      '\uFB01',
      '\u08D4',
      '\u166D',
      '\uE000',
      '\uE001',
      'a'.repeat(99),
      'a'.repeat(100),
      'a'.repeat(101),
      'ab\u200B'.repeat(40),
      'a\u0301'.repeat(120),
      '\u200B'.repeat(1500),
      ' '.repeat(1200),
      '.'.repeat(80),
      '\uFEFF',
      `${'\u200B'.repeat(1000)}${'a'.repeat(100)}`,
      `${'a\u0300'.repeat(600)}`,
      'x\u00AD'.repeat(600),
    ];
    const SETTINGS: Record<string, object> = {
      'as tokenizer.json has it': {},
      'without cleaning': { clean_text: false },
      'keeping accents': { strip_accents: false },
      'keeping case': { lowercase: false },
      'keeping case, stripping accents': { lowercase: false, strip_accents: true },
      'without CJK spacing': { handle_chinese_chars: false },
    };

    /** A seeded generator of numbers in [0, 1), so that a failure can be replayed. */
    function random(seed: number): () => number {
      let state = seed;
      return () => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    it('keeps U+FEFF where cleaning does not remove it, at the ends of the text between special tokens too, as Hugging Face tokenizers does', async () => {
      const uncleaned = await loadWithVocab({}, { clean_text: false });
      // The Rust library's ids; `@huggingface/tokenizers` alone trimmed U+FEFF off those ends.
      const texts: Record<string, number[]> = {
        '\uFEFFcat \uFEFF': [1, 1],
        'cat \uFEFF dog': [5, 1, 6],
        'cat\uFEFF[SEP]\uFEFF': [1, 3, 1],
        ']\uFEFF\u0085[SEP]': [1, 1, 3],
        '\u0085\uFEFF': [1],
      };
      for (const [text, ids] of Object.entries(texts)) {
        expect(uncleaned.encode(text), JSON.stringify(text)).to.deep.equal(ids);
        const whole = uncleaned.sequence(ids, 64);
        expect(uncleaned.textSequence(text, 64), JSON.stringify(text)).to.deep.equal(whole);
      }
    });

    it('reads megabytes of U+FEFF words only as far as the model reads, where cleaning keeps U+FEFF', async () => {
      const uncleaned = await loadWithVocab({}, { clean_text: false });
      // Every U+FEFF is a word. When the library trimmed U+FEFF off a section's ends, the reader
      // asked of each word whether the rest of the text was trimmed, scanning it to its end.
      const pairs = 8 * 1024 * 1024;
      const text = `a${' \uFEFF'.repeat(pairs)} b`;
      const short = `a${' \uFEFF'.repeat(600)} b`;
      expect(uncleaned.textSequence(text, 512)).to.deep.equal(uncleaned.sequence(uncleaned.encode(short), 512));
    });

    it('reads a text between special tokens that normalises to one as its words, as Hugging Face tokenizers does', async () => {
      // `@huggingface/tokenizers` alone read '[\u200BCLS]' as [CLS] when case is kept, and any
      // tokenizer's '<MASK>' as <mask> where it lower-cases; the Rust library matches such
      // tokens on the text as given only.
      const cased = await loadWithVocab({}, { lowercase: false });
      const texts = ['[\u200BCLS]', '\u3000[\u200BCLS]', '[SEP]\u200B[\u200BMASK][SEP]', 'x[\u200BCLS]', '[\u200BCLS'];
      for (const text of texts) {
        const whole = cased.sequence(cased.encode(text), 64);
        expect(cased.textSequence(text, 64), JSON.stringify(text)).to.deep.equal(whole);
      }
      expect(cased.encode('[\u200BCLS]')).to.deep.equal(cased.encode('[ CLS ]'));
      expect(cased.encode('[SEP]\u200B[\u200BMASK][SEP]')).to.deep.equal([3, ...cased.encode('[ MASK ]'), 3]);
      const lowercased = await loadWithVocab(
        { '<mask>': 153 },
        {},
        { added_tokens: [{ id: 153, content: '<mask>', normalized: false, special: true }] },
      );
      expect(lowercased.encode('<MASK>')).to.deep.equal(lowercased.encode('< mask >'));
      expect(lowercased.encode('<mask>')).to.deep.equal([153]);
    });

    it('meets special tokens that overlap where the library matches them, leftmost and longest', async () => {
      const extra = { '[A]': 150, ']x]': 151, '[A]x': 152 };
      const demo = await readDemoTokenizer();
      const added = Object.entries(extra).map(([content, id]) => ({ id, content, normalized: false, special: true }));
      const overlapping = await loadWithVocab(
        extra,
        {},
        { added_tokens: [...(demo.added_tokens as object[]), ...added] },
      );
      for (const text of ['[A]x]x]', '[[A]x]x]]', `]x]${'x'.repeat(1100)}[A]x]x] cat`, '[A]]x][A][A]x]']) {
        const whole = overlapping.sequence(overlapping.encode(text), 64);
        expect(overlapping.textSequence(text, 64), JSON.stringify(text)).to.deep.equal(whole);
      }
      expect(overlapping.encode('[A]x]x]'), '[A]x ]x]').to.deep.equal([152, 151]);
    });

    for (const [setting, normalizer] of Object.entries(SETTINGS)) {
      it(`gives the leading tokens of the whole text, ${setting}`, async () => {
        const crafted = await loadWithVocab({ '##a': 153, x: 154, '##x': 155 }, normalizer);
        const next = random(Object.keys(SETTINGS).indexOf(setting) + 1);
        const pick = (count: number): number => Math.floor(next() * count);
        for (let round = 0; round < 400; round++) {
          const parts = Array.from({ length: 1 + pick(60) }, () => PARTS[pick(PARTS.length)]);
          const long = 'x'.repeat(pick(3000));
          parts.splice(pick(parts.length), 0, long);
          const text = parts.join(pick(3) === 0 ? ' ' : '');
          const maxLength = 3 + pick(70);
          const whole = crafted.sequence(crafted.encode(text), maxLength);
          expect(
            crafted.textSequence(text, maxLength),
            `round ${round}: ${JSON.stringify(text.slice(0, 200))}… at ${maxLength}`,
          ).to.deep.equal(whole);
        }
      });
    }
  });

  it("reads another pipeline's text up to 100 characters a token, and counts it as truncated past them", async () => {
    const whitespaceWords = await loadWithVocab({}, {}, { pre_tokenizer: { type: 'WhitespaceSplit' } });
    const text = 'cat dog pizza '.repeat(Math.ceil((3 * 64 * MAX_TEXT_CHARS_PER_TOKEN) / 14));
    const sequence = whitespaceWords.textSequence(text, 64);
    expect(sequence).to.deep.equal(whitespaceWords.sequence(whitespaceWords.encode(text), 64));
    const lost = whitespaceWords.textSequence(`${'a'.repeat(6399)} cat dog`, 64);
    expect(lost, 'what lies past them is not read').to.deep.equal({ ids: [2, 1, 3], truncated: true });
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
