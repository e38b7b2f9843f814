import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isHighSurrogate } from '@inferlens/protocol';
import type { BertPipelineJson, LeadingTokenizer } from './bert-leading-tokens.js';
import { bertLeadingTokenizer } from './bert-leading-tokens.js';
import { bertNormalizerFixes } from './bert-normalizer-fixes.js';
import type { HfTokenizer } from './hf-tokenizer.js';
import { createTokenizer } from './hf-tokenizer.js';

/** Read beside tokenizer.json when present: some tokenizers keep settings there. */
const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

/**
 * A text whose tokens the special-token template is learned from. Any text
 * that is one ordinary word does; the template does not depend on it.
 */
const TEMPLATE_PROBE = 'hello';

/** BERT's padding token, used when tokenizer.json names no padding id. */
const BERT_PAD_TOKEN = '[PAD]';

/**
 * For a pipeline other than BERT's, whose words bert-leading-tokens.ts
 * cannot find: the most characters of a text tokenised per token the
 * model reads. A text of words of at most 100 characters gives at least
 * one token per 100 characters, so what lies past `maxLength` times this
 * does not reach the model; a text of longer words or runs of white space
 * may lose tokens the model would read. Tokenising all of a text costs in
 * proportion to the body, not to the model's input: a 64 MiB text held the
 * event loop for tens of seconds and took gigabytes.
 */
export const MAX_TEXT_CHARS_PER_TOKEN = 100;

/** ASCII whitespace, where every Hugging Face pre-tokenizer ends a word. */
const WHITESPACE = /[\t\n\r ]/;

/**
 * Where to cut a text to at most `limit` characters: where the last run of
 * whitespace within it starts, so that the pre-tokenizer splits there in the
 * whole text too and the tokens before the cut are the same; without one, at
 * the limit, outside a surrogate pair.
 */
function leadingCut(text: string, limit: number): number {
  for (let cut = limit; cut > 0; cut--) {
    if (WHITESPACE.test(text[cut]) && !WHITESPACE.test(text[cut - 1])) return cut;
  }
  return isHighSurrogate(text.charCodeAt(limit - 1)) ? limit - 1 : limit;
}

/** A text's token ids as the model reads them, and whether they had to be cut. */
interface TokenSequence {
  readonly ids: readonly number[];
  readonly truncated: boolean;
}

interface TokenizerJson extends BertPipelineJson {
  truncation?: { max_length?: unknown } | null;
  padding?: { pad_id?: unknown } | null;
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8')) as unknown;
}

async function readOptionalJson(path: string): Promise<object> {
  try {
    return (await readJson(path)) as object;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

/**
 * A Hugging Face `tokenizer.json`, read by `@huggingface/tokenizers`, with
 * the truncation and padding done here: the library applies neither, and
 * the server needs to know when an input was cut. Texts are rewritten first
 * where the library's BertNormalizer differs from the Rust library's
 * (see bert-normalizer-fixes.ts). The special tokens the
 * file's post-processor adds (`[CLS] … [SEP]` for BERT) are learned once
 * from a probe, so token ids given by a client get them too.
 */
export class TextTokenizer {
  readonly #tokenizer: HfTokenizer;
  /** Rewrites a text so that the library tokenises it as Hugging Face's Rust tokenizers does. */
  readonly #fix: (text: string) => string;
  /** Special tokens before and after a text's own tokens. */
  readonly #prefix: readonly number[];
  readonly #suffix: readonly number[];
  /** A text's first tokens without tokenising all of it, for BERT's pipeline; undefined for others. */
  readonly #leading: LeadingTokenizer | undefined;
  /** Ids below this are in the vocabulary. */
  readonly vocabularySize: number;
  /** The id of padding positions. */
  readonly padId: number;
  /** tokenizer.json's own truncation length, if it sets one. */
  readonly maxLength: number | undefined;

  private constructor(tokenizer: HfTokenizer, json: TokenizerJson, config: object) {
    this.#tokenizer = tokenizer;
    this.#fix = bertNormalizerFixes(json.normalizer) ?? ((text) => text);
    const full = tokenizer.encode(TEMPLATE_PROBE).ids;
    const content = tokenizer.encode(TEMPLATE_PROBE, { add_special_tokens: false }).ids;
    const start = findSubsequence(full, content);
    if (start < 0) throw new Error('tokenizer.json: its post-processor does not keep the text tokens in one piece');
    this.#prefix = full.slice(0, start);
    this.#suffix = full.slice(start + content.length);
    this.vocabularySize = tokenizer.get_vocab(true).size;
    const padId = json.padding?.pad_id;
    this.padId = typeof padId === 'number' ? padId : (tokenizer.token_to_id(BERT_PAD_TOKEN) ?? 0);
    this.#leading = bertLeadingTokenizer(json, config, {
      encode: (text) => this.encode(text),
      tokenId: (token) => tokenizer.token_to_id(token),
    });
    const maxLength = json.truncation?.max_length;
    this.maxLength = typeof maxLength === 'number' ? maxLength : undefined;
  }

  /** Reads tokenizer.json (and tokenizer_config.json beside it, if any); throws naming the file when unusable. */
  static async load(path: string): Promise<TextTokenizer> {
    try {
      const json = (await readJson(path)) as TokenizerJson;
      const config = await readOptionalJson(join(dirname(path), TOKENIZER_CONFIG_FILE));
      return new TextTokenizer(createTokenizer(json, config), json, config);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (error as Error).message;
      throw new Error(`tokenizer ${path}: ${reason}`, { cause: error });
    }
  }

  /** Special tokens added around every sequence. */
  get specialTokenCount(): number {
    return this.#prefix.length + this.#suffix.length;
  }

  /** A text's own token ids, without special tokens. */
  encode(text: string): number[] {
    return this.#tokenizer.encode(this.#fix(text), { add_special_tokens: false }).ids;
  }

  /**
   * The model's sequence for a text's own token ids: special tokens added,
   * the text's tokens cut so that the whole fits `maxLength`.
   */
  sequence(tokens: readonly number[], maxLength: number): TokenSequence {
    const room = maxLength - this.specialTokenCount;
    const truncated = tokens.length > room;
    const kept = truncated ? tokens.slice(0, room) : tokens;
    return { ids: [...this.#prefix, ...kept, ...this.#suffix], truncated };
  }

  /**
   * The model's sequence for a text, as `sequence` makes it of the whole
   * text's tokens. For BERT's pipeline only as much of the text is
   * tokenised as gives them (see bert-leading-tokens.ts). For another, of
   * a text longer than `maxLength` × {@link MAX_TEXT_CHARS_PER_TOKEN}
   * characters only the part before that (see `leadingCut`) is tokenised,
   * and the text counts as truncated.
   */
  textSequence(text: string, maxLength: number): TokenSequence {
    if (this.#leading !== undefined) {
      const { ids, more } = this.#leading(text, maxLength - this.specialTokenCount);
      return { ids: [...this.#prefix, ...ids, ...this.#suffix], truncated: more };
    }
    const limit = maxLength * MAX_TEXT_CHARS_PER_TOKEN;
    if (text.length <= limit) return this.sequence(this.encode(text), maxLength);
    const { ids } = this.sequence(this.encode(text.slice(0, leadingCut(text, limit))), maxLength);
    return { ids, truncated: true };
  }
}

function findSubsequence(haystack: readonly number[], needle: readonly number[]): number {
  for (let start = 0; start + needle.length <= haystack.length; start++) {
    if (needle.every((id, i) => haystack[start + i] === id)) return start;
  }
  return -1;
}
