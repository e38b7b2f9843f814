import * as tokenizers from '@huggingface/tokenizers';
import { readUnicode8Categories } from './unicode-8-categories.js';

/** One encoded text, as `@huggingface/tokenizers` answers it. */
interface HfEncoding {
  ids: number[];
}

/**
 * The part of `@huggingface/tokenizers`' `Tokenizer` this server uses. The
 * package's own declarations import their siblings without file
 * extensions, which NodeNext module resolution cannot follow, so the types
 * it needs are restated here and checked by the tests that load real
 * tokenizers.
 */
export interface HfTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): HfEncoding;
  get_vocab(withAddedTokens?: boolean): Map<string, number>;
  token_to_id(token: string): number | undefined;
}

/** The parts of tokenizer.json that {@link matchAddedTokensAsGiven} reads. */
interface AddedTokensJson {
  pre_tokenizer?: { type?: unknown } | null;
  added_tokens?: readonly { content?: unknown; normalized?: unknown }[];
}

/** The library's normaliser, which it runs on each text between added tokens. */
interface LibraryNormalizer {
  normalizer: ((text: string) => string) | null;
}

/**
 * The library reads a text between added tokens that its normaliser turns
 * into an added token's content as that token (`'<MASK>'` as `<mask>` when
 * it lower-cases); the Rust library matches a token with `normalized: false`
 * on the text as given only. Where BertPreTokenizer, which drops white
 * space, follows, a space written after such a normalised text keeps the
 * library from matching it and leaves its words as they were.
 */
function matchAddedTokensAsGiven(tokenizer: LibraryNormalizer, json: AddedTokensJson): void {
  const { normalizer } = tokenizer;
  if (normalizer === null || json.pre_tokenizer?.type !== 'BertPreTokenizer') return;
  const asGiven = new Set(
    (json.added_tokens ?? []).filter(({ normalized }) => normalized === false).map(({ content }) => content),
  );
  tokenizer.normalizer = (text) => {
    const normalized = normalizer(text);
    return asGiven.has(normalized) ? `${normalized} ` : normalized;
  };
}

/**
 * Builds a tokenizer from the parsed `tokenizer.json` and
 * `tokenizer_config.json`, its BERT steps reading Unicode categories as
 * Hugging Face's Rust library does (see unicode-8-categories.ts), and
 * matching added tokens as it does.
 */
export function createTokenizer(tokenizerJson: object, tokenizerConfig: object): HfTokenizer {
  const Tokenizer = tokenizers.Tokenizer as unknown as new (json: object, config: object) => HfTokenizer;
  const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  readUnicode8Categories(tokenizer);
  matchAddedTokensAsGiven(tokenizer as unknown as LibraryNormalizer, tokenizerJson);
  return tokenizer;
}
