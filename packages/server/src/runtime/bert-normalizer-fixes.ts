/**
 * Where `@huggingface/tokenizers`' BertNormalizer differs from Hugging
 * Face's Rust `tokenizers`, the reference that sentence-transformers models
 * are trained and served with, made good by rewriting the text before the
 * library sees it. Each rewrite does early what the reference's normaliser
 * does anyway (spaces around a character that is its own word, a letter
 * lower-cased), so the library's own steps leave its result as it is; none
 * touches BERT's special tokens, which are ASCII.
 */

/** The parts of tokenizer.json's `normalizer` these fixes depend on. */
interface NormalizerJson {
  type?: unknown;
  handle_chinese_chars?: unknown;
  lowercase?: unknown;
}

/**
 * CJK ideographs outside the Basic Multilingual Plane, as the reference
 * lists them (its list skips U+2B820–U+2B91F). The library looks at UTF-16
 * code units one at a time, so it never sees these and leaves them glued to
 * the word around them; the reference makes each its own word.
 */
export const ASTRAL_CJK_IDEOGRAPHS = String.raw`[\u{20000}-\u{2A6DF}\u{2A700}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{2F800}-\u{2FA1F}]`;
const ASTRAL_CJK_IDEOGRAPH = new RegExp(ASTRAL_CJK_IDEOGRAPHS, 'gu');

/**
 * The reference lower-cases each character alone, so capital sigma is
 * always `σ`; the library lower-cases the whole text with
 * `String.prototype.toLowerCase`, which writes `ς` at the end of a word.
 */
const CAPITAL_SIGMA = /Σ/g;
const SMALL_SIGMA = 'σ';

/** The rewrite a tokenizer.json's normalizer needs, or undefined when it needs none. */
export function bertNormalizerFixes(normalizer: unknown): ((text: string) => string) | undefined {
  const json = (normalizer ?? {}) as NormalizerJson;
  if (json.type !== 'BertNormalizer') return undefined;
  const fixes: ((text: string) => string)[] = [];
  if (json.handle_chinese_chars === true) fixes.push((text) => text.replace(ASTRAL_CJK_IDEOGRAPH, ' $& '));
  if (json.lowercase === true) fixes.push((text) => text.replace(CAPITAL_SIGMA, SMALL_SIGMA));
  if (fixes.length === 0) return undefined;
  return (text) => fixes.reduce((fixed, fix) => fix(fixed), text);
}
