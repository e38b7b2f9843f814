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
  /** The normalizer the library runs on a text between special tokens, if tokenizer.json has one. */
  readonly normalizer: ((text: string) => string) | null;
}

/**
 * Builds a tokenizer from the parsed `tokenizer.json` and
 * `tokenizer_config.json`, its BERT steps reading Unicode categories as
 * Hugging Face's Rust library does (see unicode-8-categories.ts).
 */
export function createTokenizer(tokenizerJson: object, tokenizerConfig: object): HfTokenizer {
  const Tokenizer = tokenizers.Tokenizer as unknown as new (json: object, config: object) => HfTokenizer;
  const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  readUnicode8Categories(tokenizer);
  return tokenizer;
}
