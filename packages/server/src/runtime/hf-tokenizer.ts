import * as tokenizers from '@huggingface/tokenizers';

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

/** Builds a tokenizer from the parsed `tokenizer.json` and `tokenizer_config.json`. */
export function createTokenizer(tokenizerJson: object, tokenizerConfig: object): HfTokenizer {
  const Tokenizer = tokenizers.Tokenizer as unknown as new (json: object, config: object) => HfTokenizer;
  return new Tokenizer(tokenizerJson, tokenizerConfig);
}
