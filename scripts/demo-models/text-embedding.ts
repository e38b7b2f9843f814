/**
 * The demo text-embedding model: BERT-shaped (a WordPiece `tokenizer.json`,
 * `input_ids`, `attention_mask` and `token_type_ids` in, `last_hidden_state`
 * out) but not trained. Each word of a small vocabulary belongs to a topic
 * (animals, food, weather, …); its embedding is its topic's seeded random
 * direction plus a little word-specific noise, and function words get short
 * vectors. Mean pooling then puts texts about the same topic close together
 * and texts about different topics apart. It knows nothing of meaning beyond
 * those hand-made topic lists.
 */
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { createTokenizer } from '../../packages/server/src/runtime/hf-tokenizer.js';
import { pool } from '../../packages/server/src/runtime/pooling.js';
import { dataType, encodeModel, initializer, node, valueInfo } from '../onnx/graph.js';
import { normalGenerator } from './seeded-random.js';
import type { DemoModel, DemoModelCheck } from './types.js';
import { cosine } from './vectors.js';
import { CONTINUATION_PREFIX, vocabulary, wordPieceTokenizerJson } from './wordpiece-tokenizer.js';

/** The hidden size: the length of every token vector and of the pooled embedding. */
const HIDDEN_SIZE = 32;
/** The leading dimensions that carry the topic: an embedding cut to them still separates topics. */
const TOPIC_DIMENSIONS = 16;
/** The longest input, in tokens with `[CLS]` and `[SEP]`; longer ones are truncated by the server. */
const MAX_SEQUENCE_LENGTH = 64;
const SEED = 20_240_601;
/** Scale of a topic word's own noise beside its topic direction (of length about 1 per dimension). */
const WORD_NOISE = 0.35;
/** Function words, punctuation and special tokens are short vectors: they barely move the mean. */
const FUNCTION_WORD_SCALE = 0.08;
/** BERT initialises its token type embeddings with this standard deviation. */
const TOKEN_TYPE_SCALE = 0.02;
const TOKEN_TYPES = 2;
const JSON_INDENT = 2;

const TOPICS: Readonly<Record<string, readonly string[]>> = {
  animals: ['cat', 'dog', 'kitten', 'puppy', 'horse', 'bird', 'fish', 'mouse', 'cow', 'lion', 'tiger', 'pet'],
  food: ['apple', 'bread', 'cheese', 'pizza', 'soup', 'rice', 'cake', 'coffee', 'tea', 'milk', 'fruit', 'dinner'],
  weather: [
    'rain',
    'snow',
    'sun',
    'wind',
    'storm',
    'cloud',
    'cold',
    'warm',
    'weather',
    'sunny',
    'forecast',
    'tomorrow',
  ],
  computing: [
    'computer',
    'server',
    'model',
    'data',
    'network',
    'code',
    'software',
    'cpu',
    'memory',
    'disk',
    'keyboard',
  ],
  sport: ['football', 'tennis', 'game', 'team', 'player', 'match', 'goal', 'ball', 'race', 'win', 'score'],
  music: ['song', 'music', 'guitar', 'piano', 'band', 'sing', 'concert', 'melody', 'drum', 'singer', 'album'],
  travel: ['train', 'plane', 'car', 'road', 'trip', 'city', 'hotel', 'airport', 'map', 'travel', 'ticket', 'beach'],
};

const FUNCTION_WORDS = [
  ...['the', 'a', 'an', 'is', 'are', 'was', 'were', 'and', 'or', 'of', 'to', 'in', 'on', 'at', 'for', 'with'],
  ...['it', 'this', 'that', 'i', 'you', 'he', 'she', 'we', 'they', 'my', 'your', 'be', 'has', 'have', 'do'],
  ...['not', 'no', 'yes', 'what', 'how', 'very', 'can', 'will', 'just', 'likes', 'like', 'loves', 'sat', 'ate'],
  ...['chased', 'played', 'plays', 'hello', 'world', 'good', 'bad', 'new', 'old', 'big', 'small', 'today'],
  ...['.', ',', '!', '?', "'", '-', ':'],
  ...['s', 'ed', 'ing'].map((suffix) => `${CONTINUATION_PREFIX}${suffix}`),
];

const TOPIC_WORDS = Object.values(TOPICS).flat();
const VOCABULARY = vocabulary([...TOPIC_WORDS, ...FUNCTION_WORDS]);

/** Topic words: the topic's direction in the leading dimensions plus noise; every other token: short noise. */
function wordEmbeddings(): number[] {
  const normal = normalGenerator(SEED);
  const topicOf = new Map<string, number>();
  Object.values(TOPICS).forEach((words, topic) => words.forEach((word) => topicOf.set(word, topic)));
  const directions = Object.keys(TOPICS).map(() => Array.from({ length: TOPIC_DIMENSIONS }, () => normal()));
  const weights: number[] = [];
  for (const token of VOCABULARY.keys()) {
    const topic = topicOf.get(token);
    for (let dim = 0; dim < HIDDEN_SIZE; dim++) {
      const noise = normal();
      if (topic === undefined) weights.push(FUNCTION_WORD_SCALE * noise);
      else weights.push((dim < TOPIC_DIMENSIONS ? directions[topic][dim] : 0) + WORD_NOISE * noise);
    }
  }
  return weights;
}

function tokenTypeEmbeddings(): number[] {
  const normal = normalGenerator(SEED + 1);
  return Array.from({ length: TOKEN_TYPES * HIDDEN_SIZE }, () => TOKEN_TYPE_SCALE * normal());
}

function buildGraph(): Uint8Array {
  const ids = ['batch', 'sequence'];
  return encodeModel({
    name: 'demo_embedding',
    inputs: [
      valueInfo('input_ids', 'int64', ids),
      valueInfo('attention_mask', 'int64', ids),
      valueInfo('token_type_ids', 'int64', ids),
    ],
    outputs: [valueInfo('last_hidden_state', 'float32', [...ids, HIDDEN_SIZE])],
    initializers: [
      initializer('word_embeddings', 'float32', [VOCABULARY.size, HIDDEN_SIZE], wordEmbeddings()),
      initializer('token_type_embeddings', 'float32', [TOKEN_TYPES, HIDDEN_SIZE], tokenTypeEmbeddings()),
      initializer('last_axis', 'int64', [1], [-1]),
    ],
    nodes: [
      node('Gather', ['word_embeddings', 'input_ids'], ['words'], {}, 'word_lookup'),
      node('Gather', ['token_type_embeddings', 'token_type_ids'], ['types'], {}, 'token_type_lookup'),
      node('Add', ['words', 'types'], ['embedded'], {}, 'add_token_types'),
      // Padding positions come out as zeros, as a real encoder's are ignored by mean pooling.
      node('Cast', ['attention_mask'], ['mask'], { to: dataType('float32') }, 'mask_to_float'),
      node('Unsqueeze', ['mask', 'last_axis'], ['mask_column'], {}, 'mask_column'),
      node('Mul', ['embedded', 'mask_column'], ['last_hidden_state'], {}, 'apply_mask'),
    ],
  });
}

function tokenizerJson(): string {
  return `${JSON.stringify(wordPieceTokenizerJson(VOCABULARY, MAX_SEQUENCE_LENGTH), null, JSON_INDENT)}\n`;
}

export const textEmbedding: DemoModel = {
  name: 'demo-embedding',
  version: 1,
  config: {
    task: 'text_embedding',
    embedding: {
      pooling: 'mean',
      normalize: true,
      maxSequenceLength: MAX_SEQUENCE_LENGTH,
      dimensions: [TOPIC_DIMENSIONS],
    },
  },
  build: buildGraph,
  versionFiles: () => ({ 'tokenizer.json': tokenizerJson() }),
  check: checkTextEmbedding,
};

/** Texts of which the first two share a topic and the third does not. */
const RELATED = ['The cat chased a dog.', 'a puppy and a kitten', 'rain and snow tomorrow'] as const;

async function checkTextEmbedding(session: InferenceSession): Promise<DemoModelCheck> {
  const tokenizer = createTokenizer(JSON.parse(tokenizerJson()) as object, {});
  const [cat, puppy, rain] = await Promise.all(RELATED.map((text) => embed(session, tokenizer.encode(text).ids)));
  const related = cosine(cat, puppy);
  const unrelated = cosine(cat, rain);
  return {
    passed: related > unrelated,
    summary: `${VOCABULARY.size} tokens, ${HIDDEN_SIZE} dimensions; cosine of related texts ${related.toFixed(3)}, unrelated ${unrelated.toFixed(3)}`,
  };
}

/** Mean of the token vectors, pooled by the server's own pooling. */
async function embed(session: InferenceSession, ids: readonly number[]): Promise<Float32Array> {
  const shape = [1, ids.length];
  const int64 = (values: readonly number[]): Tensor => new Tensor('int64', BigInt64Array.from(values, BigInt), shape);
  const { last_hidden_state: hidden } = await session.run({
    input_ids: int64(ids),
    attention_mask: int64(ids.map(() => 1)),
    token_type_ids: int64(ids.map(() => 0)),
  });
  const tokens = { values: hidden.data as Float32Array, count: 1, sequence: ids.length, hidden: HIDDEN_SIZE };
  return pool(tokens, [ids.length], 'mean');
}
