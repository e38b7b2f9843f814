/**
 * Writes a Hugging Face `tokenizer.json` for a BERT-style WordPiece
 * vocabulary: the same normaliser, pre-tokeniser, `[CLS] … [SEP]` template
 * and decoder as `bert-base-uncased`, so any library that reads BERT's
 * tokenizer reads this one.
 */

/** BERT's special tokens, first in the vocabulary; their ids are their positions. */
const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** WordPiece's marker of a piece that continues a word. */
export const CONTINUATION_PREFIX = '##';

/** BERT's limit on the characters of one word before it becomes `[UNK]`. */
const MAX_INPUT_CHARS_PER_WORD = 100;

/** The ids of a vocabulary: special tokens first, then `tokens` in order. */
export function vocabulary(tokens: readonly string[]): Map<string, number> {
  const all = [...SPECIAL_TOKENS, ...tokens];
  if (new Set(all).size !== all.length) throw new Error('the vocabulary lists a token twice');
  return new Map(all.map((token, id) => [token, id]));
}

/**
 * The tokenizer.json of a lower-casing WordPiece vocabulary.
 * @param maxLength the truncation length recorded in the file (readers may use it as the maximum sequence length)
 */
export function wordPieceTokenizerJson(vocab: ReadonlyMap<string, number>, maxLength: number): unknown {
  const id = (token: string): number => vocab.get(token)!;
  const special = (token: string): object => ({ SpecialToken: { id: token, type_id: 0 } });
  return {
    version: '1.0',
    truncation: { direction: 'Right', max_length: maxLength, strategy: 'LongestFirst', stride: 0 },
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((token) => ({
      id: id(token),
      content: token,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]')],
      pair: [
        special('[CLS]'),
        { Sequence: { id: 'A', type_id: 0 } },
        special('[SEP]'),
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(
        ['[CLS]', '[SEP]'].map((token) => [token, { id: token, ids: [id(token)], tokens: [token] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: CONTINUATION_PREFIX, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: CONTINUATION_PREFIX,
      max_input_chars_per_word: MAX_INPUT_CHARS_PER_WORD,
      vocab: Object.fromEntries(vocab),
    },
  };
}
