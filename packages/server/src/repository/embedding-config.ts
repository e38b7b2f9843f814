import { isJsonObject } from '@inferlens/protocol';
import { checkKnownFields } from './known-fields.js';

/** How token vectors become one vector per text: their mean, the first (`[CLS]`) one, or none when the graph pools itself. */
export type Pooling = 'mean' | 'cls' | 'none';

const POOLINGS: readonly Pooling[] = ['mean', 'cls', 'none'];

/** The `embedding` settings of a `text_embedding` model's config. */
export interface EmbeddingConfig {
  /** @default 'mean' (sentence-transformers' default, all-MiniLM-L6-v2's pooling) */
  pooling: Pooling;
  /** Scale every vector to unit length (L2). @default true */
  normalize: boolean;
  /**
   * The longest input in tokens, `[CLS]` and `[SEP]` included; longer
   * inputs are cut to it and the cut is reported in the telemetry.
   * @default the `truncation.max_length` of tokenizer.json, else 512 (BERT's position limit)
   */
  maxSequenceLength: number | undefined;
  /**
   * Shorter vector lengths a request may ask for with OpenAI's
   * `dimensions`: the leading components are kept, then renormalised when
   * `normalize` is on (Matryoshka-style). The model's full length is always
   * allowed. @default [] (only the full length)
   */
  dimensions: number[];
  /**
   * The graph output to read.
   * @default `last_hidden_state` (or `token_embeddings`) for mean and CLS pooling, `sentence_embedding` for none
   */
  output: string | undefined;
}

const FIELDS: readonly (keyof EmbeddingConfig)[] = [
  'pooling',
  'normalize',
  'maxSequenceLength',
  'dimensions',
  'output',
];

const DEFAULT_EMBEDDING_CONFIG: Readonly<EmbeddingConfig> = Object.freeze({
  pooling: 'mean',
  normalize: true,
  maxSequenceLength: undefined,
  dimensions: [],
  output: undefined,
});

function isPositiveInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

/** Validates the `embedding` object of a config, naming the field at fault. */
export function parseEmbeddingConfig(value: unknown): EmbeddingConfig {
  if (value === undefined) return Object.assign({}, DEFAULT_EMBEDDING_CONFIG, { dimensions: [] });
  if (!isJsonObject(value)) throw new Error('"embedding" must be an object');
  checkKnownFields(value, FIELDS, 'embedding.');
  const { pooling, normalize, maxSequenceLength, dimensions, output } = value;
  if (pooling !== undefined && !POOLINGS.includes(pooling as Pooling)) {
    throw new Error(`"embedding.pooling" must be one of ${POOLINGS.join(', ')}, got ${JSON.stringify(pooling)}`);
  }
  if (normalize !== undefined && typeof normalize !== 'boolean')
    throw new Error('"embedding.normalize" must be a boolean');
  if (maxSequenceLength !== undefined && !isPositiveInteger(maxSequenceLength)) {
    throw new Error(
      `"embedding.maxSequenceLength" must be a positive integer, got ${JSON.stringify(maxSequenceLength)}`,
    );
  }
  if (dimensions !== undefined && !(Array.isArray(dimensions) && dimensions.every(isPositiveInteger))) {
    throw new Error('"embedding.dimensions" must be an array of positive integers');
  }
  if (output !== undefined && (typeof output !== 'string' || output === '')) {
    throw new Error('"embedding.output" must be a non-empty string');
  }
  return {
    pooling: (pooling as Pooling | undefined) ?? DEFAULT_EMBEDDING_CONFIG.pooling,
    normalize: normalize ?? DEFAULT_EMBEDDING_CONFIG.normalize,
    maxSequenceLength,
    dimensions: dimensions ?? [],
    output,
  };
}
