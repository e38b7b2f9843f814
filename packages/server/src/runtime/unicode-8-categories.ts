/**
 * Hugging Face's Rust `tokenizers`, the reference that sentence-transformers
 * models are trained and served with, reads a character's general category
 * from Unicode 8.0 tables (its `unicode_categories` crate) and decomposes
 * with tables older than Unicode 13; `@huggingface/tokenizers` uses Node's
 * own Unicode, which is newer. Where the two disagree, what BERT's
 * normaliser strips as an accent or removes as a control character and
 * where its pre-tokeniser splits words are made to follow Unicode 8.0 here,
 * as the reference does.
 */
import * as tokenizers from '@huggingface/tokenizers';

/**
 * The code points Unicode assigned after version 8.0 (its DerivedAge
 * property, which JavaScript's regular expressions cannot test) that Node's
 * Unicode (17.0) makes nonspacing marks, format characters or punctuation,
 * or gives a canonical decomposition. The reference knows none of them, so
 * it reads each as an ordinary character: it neither strips, removes,
 * splits at nor decomposes them. A Node whose Unicode is past 17.0 may add
 * more such characters, which belong here then.
 */
const ADDED_AFTER_UNICODE_8 = [
  String.raw`\u{61D}\u{7FD}\u{890}-\u{891}\u{897}-\u{89F}\u{8CA}-\u{8E2}\u{9FD}-\u{9FE}\u{A76}\u{AFA}-\u{AFF}`,
  String.raw`\u{B55}\u{C04}\u{C3C}\u{C77}\u{C84}\u{D00}\u{D3B}-\u{D3C}\u{D81}\u{EBA}\u{ECE}\u{180F}`,
  String.raw`\u{1ABF}-\u{1ADD}\u{1AE0}-\u{1AEB}\u{1B4E}-\u{1B4F}\u{1B7D}-\u{1B7F}\u{1DF6}-\u{1DFB}`,
  String.raw`\u{2E43}-\u{2E4F}\u{2E52}-\u{2E5D}\u{A82C}\u{A8C5}\u{A8FF}\u{105C9}\u{105E4}\u{10D24}-\u{10D27}`,
  String.raw`\u{10D69}-\u{10D6E}\u{10EAB}-\u{10EAD}\u{10ED0}\u{10EFA}-\u{10EFF}\u{10F46}-\u{10F50}`,
  String.raw`\u{10F55}-\u{10F59}\u{10F82}-\u{10F89}\u{11070}\u{11073}-\u{11074}\u{110C2}\u{110CD}\u{111CF}`,
  String.raw`\u{1123E}\u{11241}\u{1133B}\u{11383}\u{11385}\u{1138E}\u{11391}\u{113BB}-\u{113C0}\u{113C5}`,
  String.raw`\u{113C7}-\u{113C8}\u{113CE}\u{113D0}\u{113D2}\u{113D4}-\u{113D5}\u{113D7}-\u{113D8}`,
  String.raw`\u{113E1}-\u{113E2}\u{11438}-\u{1143F}\u{11442}-\u{11444}\u{11446}\u{1144B}-\u{1144F}`,
  String.raw`\u{1145A}-\u{1145B}\u{1145D}-\u{1145E}\u{11660}-\u{1166C}\u{116B9}\u{1182F}-\u{11837}`,
  String.raw`\u{11839}-\u{1183B}\u{11938}\u{1193B}-\u{1193C}\u{1193E}\u{11943}-\u{11946}\u{119D4}-\u{119D7}`,
  String.raw`\u{119DA}-\u{119DB}\u{119E0}\u{119E2}\u{11A01}-\u{11A0A}\u{11A33}-\u{11A38}\u{11A3B}-\u{11A47}`,
  String.raw`\u{11A51}-\u{11A56}\u{11A59}-\u{11A5B}\u{11A8A}-\u{11A96}\u{11A98}-\u{11A9C}\u{11A9E}-\u{11AA2}`,
  String.raw`\u{11B00}-\u{11B09}\u{11B60}\u{11B62}-\u{11B64}\u{11B66}\u{11BE1}\u{11C30}-\u{11C36}`,
  String.raw`\u{11C38}-\u{11C3D}\u{11C3F}\u{11C41}-\u{11C45}\u{11C70}-\u{11C71}\u{11C92}-\u{11CA7}`,
  String.raw`\u{11CAA}-\u{11CB0}\u{11CB2}-\u{11CB3}\u{11CB5}-\u{11CB6}\u{11D31}-\u{11D36}\u{11D3A}`,
  String.raw`\u{11D3C}-\u{11D3D}\u{11D3F}-\u{11D45}\u{11D47}\u{11D90}-\u{11D91}\u{11D95}\u{11D97}`,
  String.raw`\u{11EF3}-\u{11EF4}\u{11EF7}-\u{11EF8}\u{11F00}-\u{11F01}\u{11F36}-\u{11F3A}\u{11F40}`,
  String.raw`\u{11F42}-\u{11F4F}\u{11F5A}\u{11FFF}\u{12FF1}-\u{12FF2}\u{13430}-\u{13440}\u{13447}-\u{13455}`,
  String.raw`\u{1611E}-\u{16129}\u{1612D}-\u{1612F}\u{16D68}-\u{16D6A}\u{16D6D}-\u{16D6F}\u{16E97}-\u{16E9A}`,
  String.raw`\u{16F4F}\u{16FE2}\u{16FE4}\u{1CF00}-\u{1CF2D}\u{1CF30}-\u{1CF46}\u{1E000}-\u{1E006}`,
  String.raw`\u{1E008}-\u{1E018}\u{1E01B}-\u{1E021}\u{1E023}-\u{1E024}\u{1E026}-\u{1E02A}\u{1E08F}`,
  String.raw`\u{1E130}-\u{1E136}\u{1E2AE}\u{1E2EC}-\u{1E2EF}\u{1E4EC}-\u{1E4EF}\u{1E5EE}-\u{1E5EF}\u{1E5FF}`,
  String.raw`\u{1E6E3}\u{1E6E6}\u{1E6EE}-\u{1E6EF}\u{1E6F5}\u{1E944}-\u{1E94A}\u{1E95E}-\u{1E95F}`,
].join('');

/** Characters Unicode 8.0 made nonspacing marks and later versions spacing ones (U+1734, U+1171E). */
const NONSPACING_MARKS_IN_8 = String.raw`\u{1734}\u{1171E}`;
/** Characters later versions made nonspacing marks that Unicode 8.0 did not (two letters, a spacing mark, a punctuation mark). */
const OTHERS_IN_8 = String.raw`\u{1885}\u{1886}\u{A9BD}\u{111C9}`;
/** Characters Unicode 8.0 made punctuation and later versions did not (now a symbol and a nonspacing mark). */
const PUNCTUATION_IN_8 = String.raw`\u{166D}\u{111C9}`;
/** ASCII's punctuation, symbols included, which the reference splits at whatever their category. */
const ASCII_PUNCTUATION = String.raw`\u{21}-\u{2F}\u{3A}-\u{40}\u{5B}-\u{60}\u{7B}-\u{7E}`;

/** A set of characters in a `v`-flag class: the first less the second. */
function difference(set: string, less: string): string {
  return `[[${set}]--[${less}]]`;
}

/** BertPreTokenizer's punctuation, as a `v`-flag class: each such character is a word of its own. */
export const PUNCTUATION = difference(String.raw`\p{P}${ASCII_PUNCTUATION}${PUNCTUATION_IN_8}`, ADDED_AFTER_UNICODE_8);

/** BertPreTokenizer's words: runs of neither White_Space nor punctuation, and each punctuation character alone. */
const BERT_WORDS = new RegExp(String.raw`[^\p{White_Space}${PUNCTUATION}]+|${PUNCTUATION}`, 'gv');

/**
 * BertPreTokenizer's split as the reference does it. The library first
 * trims JavaScript's white space off the text's ends, which takes U+FEFF
 * (no White_Space, a word's character where cleaning keeps it) with it.
 */
function bertWords(text: string): string[] {
  return text.match(BERT_WORDS) ?? [];
}

/** The marks BertNormalizer's accent stripping drops, as a `v`-flag class. */
export const NONSPACING_MARKS = difference(
  String.raw`\p{Mn}${NONSPACING_MARKS_IN_8}`,
  `${ADDED_AFTER_UNICODE_8}${OTHERS_IN_8}`,
);
const NONSPACING_MARK = new RegExp(NONSPACING_MARKS, 'gv');
/** Text between characters added after Unicode 8.0, which the reference does not decompose. */
const KNOWN_TO_UNICODE_8 = new RegExp(`[^${ADDED_AFTER_UNICODE_8}]+`, 'gv');

/**
 * What BertNormalizer's cleaning removes: control, format, private-use and
 * surrogate characters (the reference's "other" category), but the tab and
 * line breaks, which it reads as white space.
 */
export const CONTROLS = difference(String.raw`\p{Cc}\p{Cf}\p{Co}\p{Cs}`, String.raw`\t\n\r${ADDED_AFTER_UNICODE_8}`);
const CONTROL = new RegExp(`^${CONTROLS}$`, 'v');

function isControl(char: string): boolean {
  return CONTROL.test(char);
}

/** BertNormalizer's accent stripping as the reference does it: NFD, then its nonspacing marks dropped. */
function stripAccents(text: string): string {
  return text.replace(KNOWN_TO_UNICODE_8, (run) => run.normalize('NFD')).replace(NONSPACING_MARK, '');
}

/** The library's BertNormalizer steps that read categories, by their names there. */
const BERT_NORMALIZER_STEPS = { strip_accents: stripAccents, is_control: isControl };

type Constructor = abstract new (...args: never[]) => object;
const { BertNormalizer, BertPreTokenizer } = tokenizers as unknown as Record<
  'BertNormalizer' | 'BertPreTokenizer',
  Constructor
>;

/** The parts of the library's tokenizer that read Unicode categories. */
interface TokenizerParts {
  normalizer: object | null;
  pre_tokenizer: object | null;
}

/**
 * Makes a tokenizer's BertNormalizer strip accents and remove control
 * characters, and its BertPreTokenizer split words, by Unicode 8.0's
 * categories; other normalisers and pre-tokenisers are left as they are.
 * `is_control` and `pre_tokenize_text` are the library's own steps, the
 * first private in its declarations.
 */
export function readUnicode8Categories(tokenizer: object): void {
  const { normalizer, pre_tokenizer: preTokenizer } = tokenizer as TokenizerParts;
  if (normalizer instanceof BertNormalizer) Object.assign(normalizer, BERT_NORMALIZER_STEPS);
  if (preTokenizer instanceof BertPreTokenizer) Object.assign(preTokenizer, { pre_tokenize_text: bertWords });
}
