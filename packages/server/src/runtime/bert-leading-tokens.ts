/**
 * The first tokens of a text for BERT's tokenizer.json pipeline
 * (BertNormalizer, BertPreTokenizer, WordPiece), the same as of the whole
 * text, found with work bounded by the number of tokens asked for rather
 * than by the text's length: a body may hold megabytes that no model reads.
 *
 * The text is read piece by piece, each tokenised alone, the pieces cut
 * where the whole text's words are cut too:
 * - before white space the normaliser keeps (it ends a word);
 * - before and after punctuation, a character that accent stripping turns
 *   into punctuation, and a CJK ideograph when the normaliser spaces them
 *   (each is a word of its own);
 * - never inside a special token such as `[CLS]`, which the library matches
 *   on the text as given.
 * The normaliser works on each character alone (accent stripping decomposes
 * a character into itself and marks that stay behind it; a capital sigma,
 * the one letter lower-cased by context, is rewritten beforehand, see
 * bert-normalizer-fixes.ts), so a piece normalises as it does in the text.
 *
 * Characters that leave nothing behind (white space, the controls cleaning
 * removes, the marks accent stripping drops) are skipped between pieces,
 * so every piece holds a word and gives at least one token: a text is read
 * only until the tokens asked for are found. A piece with no cut in it is
 * one word; one of more than `max_input_chars_per_word` characters is a
 * single `[UNK]` whatever its length, which is known once that many of its
 * characters are seen to stay, and the rest of it is not normalised.
 */
import { ASTRAL_CJK_IDEOGRAPHS } from './bert-normalizer-fixes.js';
import { CONTROLS, NONSPACING_MARKS, PUNCTUATION } from './unicode-8-categories.js';

/** The parts of tokenizer.json this depends on. */
export interface BertPipelineJson {
  normalizer?: {
    type?: unknown;
    clean_text?: unknown;
    handle_chinese_chars?: unknown;
    strip_accents?: unknown;
    lowercase?: unknown;
  } | null;
  pre_tokenizer?: { type?: unknown } | null;
  model?: { type?: unknown; unk_token?: unknown; max_input_chars_per_word?: unknown } | null;
  added_tokens?: readonly { content?: unknown; normalized?: unknown }[];
}

/** tokenizer_config.json's settings that make the library rewrite a text before its normaliser. */
interface LibraryConfig {
  remove_space?: unknown;
  do_lowercase_and_remove_accent?: unknown;
}

/** The library's tokenizer, as this uses it. */
interface LibraryTokenizer {
  /** A text's token ids, without special tokens. */
  readonly encode: (text: string) => number[];
  readonly tokenId: (token: string) => number | undefined;
}

/** A text's first tokens, and whether the whole text has more. */
export interface LeadingTokens {
  readonly ids: number[];
  readonly more: boolean;
}

/** The first `count` tokens of a text, without special tokens. */
export type LeadingTokenizer = (text: string, count: number) => LeadingTokens;

/** WordPiece's `max_input_chars_per_word` when tokenizer.json leaves it out, as the library's default. */
const DEFAULT_MAX_INPUT_CHARS_PER_WORD = 100;

/**
 * Pieces longer than this (in UTF-16 code units) with no cut in them are
 * counted rather than tokenised: tokenising one costs in proportion to its
 * length. Any bound would give the same tokens; this one keeps ordinary
 * words on the plain path.
 */
const COUNTED_PIECE_LENGTH = 1000;

/** CJK ideographs in the Basic Multilingual Plane, the ones the library's BertNormalizer itself spaces. */
const BMP_CJK_IDEOGRAPHS = String.raw`[\u{3400}-\u{4DBF}\u{4E00}-\u{9FFF}\u{F900}-\u{FAFF}]`;

/**
 * The characters that are neither punctuation nor white space but that
 * accent stripping decomposes into ASCII punctuation and a mark it drops
 * (U+1FEF into `` ` ``, `≠ ≮ ≯` into `= < >`): in the normalised text each
 * is a word of its own.
 */
const DECOMPOSED_PUNCTUATION = String.raw`\u{1FEF}\u{2260}\u{226E}\u{226F}`;

/** The characters cleaning removes: the controls it knows, NUL and U+FFFD. */
const CLEANED = String.raw`[\u{0}\u{FFFD}${CONTROLS}]`;

/**
 * A leading-token reader for a tokenizer.json whose pipeline is BERT's, or
 * undefined for any other, whose words this cannot find without running it.
 * Special tokens must be matched on the text as given (`normalized: false`)
 * and begin with punctuation, so that one never starts inside a word.
 */
export function bertLeadingTokenizer(
  json: BertPipelineJson,
  config: LibraryConfig,
  { encode, tokenId }: LibraryTokenizer,
): LeadingTokenizer | undefined {
  const { normalizer, pre_tokenizer: preTokenizer, model } = json;
  if (normalizer?.type !== 'BertNormalizer' || preTokenizer?.type !== 'BertPreTokenizer') return undefined;
  if (model?.type !== 'WordPiece' || typeof model.unk_token !== 'string') return undefined;
  const unknownId = tokenId(model.unk_token);
  if (unknownId === undefined) return undefined;
  if (config.remove_space === true || config.do_lowercase_and_remove_accent === true) return undefined;
  const special = (json.added_tokens ?? []).map(({ content, normalized }) =>
    typeof content === 'string' && normalized === false ? content : undefined,
  );
  const startsWithPunctuation = new RegExp(`^${PUNCTUATION}`, 'v');
  if (!special.every((content) => content !== undefined && startsWithPunctuation.test(content))) return undefined;
  const maxWordChars =
    typeof model.max_input_chars_per_word === 'number'
      ? model.max_input_chars_per_word
      : DEFAULT_MAX_INPUT_CHARS_PER_WORD;
  const lowercase = Boolean(normalizer.lowercase);
  const stripAccents = lowercase ? normalizer.strip_accents !== false : Boolean(normalizer.strip_accents);
  const gone = [normalizer.clean_text ? CLEANED : '', stripAccents ? NONSPACING_MARKS : ''].join('');
  const spaces = `[\\p{White_Space}--[${gone}]]`;
  const ideographs = [
    normalizer.handle_chinese_chars ? BMP_CJK_IDEOGRAPHS : '',
    normalizer.handle_chinese_chars === true ? ASTRAL_CJK_IDEOGRAPHS : '',
  ].join('');
  const cuts = `${spaces}|${PUNCTUATION}|[${ideographs}${stripAccents ? DECOMPOSED_PUNCTUATION : ''}]`;
  return new LeadingTokenReader({
    encode,
    unknownId,
    maxWordChars,
    specialTokens: special as string[],
    kept: new RegExp(`[^\\p{White_Space}${gone}]`, 'gv'),
    notKept: new RegExp(`[\\p{White_Space}${gone}]`, 'gv'),
    cuts: new RegExp(cuts, 'gv'),
    cutHere: new RegExp(cuts, 'yv'),
  }).read;
}

/** What a reader needs, resolved once per tokenizer. */
interface ReaderParts {
  readonly encode: (text: string) => number[];
  readonly unknownId: number;
  readonly maxWordChars: number;
  readonly specialTokens: readonly string[];
  /** A character that stays after normalisation, and is not white space: a word's. */
  readonly kept: RegExp;
  /** White space and what normalisation removes: the characters a long word is read without. */
  readonly notKept: RegExp;
  /** A character a piece may end before (white space) or stand alone as (punctuation, ideographs). */
  readonly cuts: RegExp;
  /** The same, at `lastIndex` only. */
  readonly cutHere: RegExp;
}

class LeadingTokenReader {
  readonly #parts: ReaderParts;

  constructor(parts: ReaderParts) {
    this.#parts = parts;
  }

  readonly read = (text: string, count: number): LeadingTokens => {
    const { encode, kept } = this.#parts;
    const ids: number[] = [];
    let position = 0;
    for (;;) {
      kept.lastIndex = position;
      const word = kept.exec(text);
      if (word === null) return { ids, more: false };
      const special = this.#specialTokenAt(text, word.index);
      const end = special > 0 ? word.index + special : this.#pieceEnd(text, word.index);
      const tokens = special > 0 ? encode(text.slice(word.index, end)) : this.#pieceTokens(text, word.index, end);
      for (const id of tokens) ids.push(id);
      if (ids.length > count) return { ids: ids.slice(0, count), more: true };
      position = end;
    }
  };

  /** The length of the longest special token at `position`, 0 if none: the library matches the longest. */
  #specialTokenAt(text: string, position: number): number {
    return this.#parts.specialTokens
      .filter((token) => text.startsWith(token, position))
      .reduce((longest, token) => Math.max(longest, token.length), 0);
  }

  /**
   * Where the piece that starts at `start`, on a word's character that
   * begins no special token, ends: after it if it is punctuation or an
   * ideograph, else at the next cut, which ends a word. A special token
   * begins with punctuation, so a word never runs into one, and every
   * punctuation character outside one starts a piece: the pieces meet each
   * special token where the library's leftmost-longest match does.
   */
  #pieceEnd(text: string, start: number): number {
    const { cuts, cutHere } = this.#parts;
    cutHere.lastIndex = start;
    const first = cutHere.exec(text);
    if (first !== null) return start + first[0].length;
    cuts.lastIndex = start;
    return cuts.exec(text)?.index ?? text.length;
  }

  /** The tokens of the piece from `start` to `end`: punctuation, an ideograph or a word. */
  #pieceTokens(text: string, start: number, end: number): readonly number[] {
    const { encode, unknownId, maxWordChars, kept, notKept } = this.#parts;
    if (end - start <= COUNTED_PIECE_LENGTH) return encode(text.slice(start, end));
    // One word: each character that stays is at least one of the word's characters after normalisation.
    kept.lastIndex = start;
    for (let seen = 0; seen <= maxWordChars; seen++) {
      const char = kept.exec(text);
      if (char === null || char.index >= end) return encode(text.slice(start, end).replace(notKept, ''));
    }
    return [unknownId];
  }
}
