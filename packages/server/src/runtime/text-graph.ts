import type { EmbeddingInput, Tensor, TensorMetadata } from '@inferlens/protocol';
import { invalidInput, invalidRequest } from '@inferlens/protocol';
import type { EmbeddingConfig } from '../repository/embedding-config.js';
import type { OnnxModel } from './onnx-model.js';
import { leadingDimensions, normalize, norms, pool } from './pooling.js';
import type { TextTokenizer } from './text-tokenizer.js';

/** The longest sequence when neither the config nor tokenizer.json sets one: BERT's position embeddings end there. */
const DEFAULT_MAX_SEQUENCE_LENGTH = 512;

/**
 * Sequences per run of the graph, sentence-transformers' default batch
 * size: a request's inputs are run this many at a time, so that the memory
 * a run takes (its attention grows with the batch) does not grow with the
 * request.
 */
const RUN_BATCH_SIZE = 32;

const INPUT_IDS = 'input_ids';
const ATTENTION_MASK = 'attention_mask';
const TOKEN_TYPE_IDS = 'token_type_ids';
const TEXT_MODEL_INPUTS: readonly string[] = [INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS];
/** Outputs read when the config names none: Hugging Face's, then sentence-transformers' names. */
const TOKEN_OUTPUTS: readonly string[] = ['last_hidden_state', 'token_embeddings'];
const POOLED_OUTPUT = 'sentence_embedding';
/** `[batch, sequence, hidden]` token vectors, or `[batch, hidden]` pooled ones. */
const TOKEN_RANK = 3;
const POOLED_RANK = 2;

/** What embedding a batch of inputs gives. */
export interface EmbeddingResult {
  /** `count` vectors of `dimension` components, row-major. */
  readonly vectors: Float32Array;
  readonly count: number;
  readonly dimension: number;
  /**
   * The L2 norm of each vector, in order, before normalisation: what the
   * model produced (after normalisation every norm would be 1).
   */
  readonly norms: readonly number[];
  /** Tokens the model read over every input, special tokens included, after truncation. */
  readonly inputTokens: number;
  /** Inputs longer than the maximum sequence length, which were cut to it. */
  readonly truncatedInputs: number;
  /** Seconds spent in onnxruntime. */
  readonly modelExecutionSeconds: number;
}

/** One run of the graph on some of a request's rows: a pooled vector of `hidden` components per row. */
interface PooledRun {
  readonly vectors: Float32Array;
  readonly hidden: number;
  readonly executionSeconds: number;
}

/**
 * Rows padded with `pad` to `width`, as the graph's INT64 or INT32 input:
 * each row's ids, or `constant` in place of every id (an attention mask,
 * token type ids), without building those rows.
 */
function idsTensor(
  name: string,
  datatype: TensorMetadata['datatype'],
  rows: readonly (readonly number[])[],
  width: number,
  pad: number,
  constant?: number,
): Tensor {
  const ids = new Int32Array(rows.length * width).fill(pad);
  rows.forEach((row, r) => {
    if (constant === undefined) ids.set(row, r * width);
    else ids.fill(constant, r * width, r * width + row.length);
  });
  const values = datatype === 'INT64' ? BigInt64Array.from(ids, BigInt) : ids;
  return { name, datatype, shape: [rows.length, width], values };
}

/**
 * A BERT-style text-embedding graph: texts are tokenised, run through the
 * graph (`input_ids`, `attention_mask` and, when the graph has it,
 * `token_type_ids`), pooled and normalised as the model's config says.
 */
export class TextGraph {
  readonly #model: OnnxModel;
  readonly #tokenizer: TextTokenizer;
  readonly #config: EmbeddingConfig;
  readonly #output: string;
  readonly #idInputs: readonly TensorMetadata[];
  /** The longest sequence, in tokens with the special ones. */
  readonly maxSequenceLength: number;

  /** Checks that the graph is one a text model has; throws with the reason it is not. */
  constructor(model: OnnxModel, tokenizer: TextTokenizer, config: EmbeddingConfig) {
    this.#model = model;
    this.#tokenizer = tokenizer;
    this.#config = config;
    const { inputs, outputs } = model.signature;
    for (const input of inputs) {
      if (!TEXT_MODEL_INPUTS.includes(input.name)) {
        throw new Error(`input '${input.name}' is not one a text model takes (${TEXT_MODEL_INPUTS.join(', ')})`);
      }
      if (input.datatype !== 'INT64' && input.datatype !== 'INT32') {
        throw new Error(`input '${input.name}' must be INT64 or INT32, got ${input.datatype}`);
      }
    }
    if (!inputs.some((input) => input.name === INPUT_IDS)) throw new Error(`the graph has no '${INPUT_IDS}' input`);
    this.#idInputs = inputs;
    const candidates =
      config.output !== undefined ? [config.output] : config.pooling === 'none' ? [POOLED_OUTPUT] : TOKEN_OUTPUTS;
    const output = outputs.find((item) => candidates.includes(item.name));
    if (output === undefined) {
      throw new Error(
        `the graph has no output ${candidates.map((name) => `'${name}'`).join(' or ')} (its outputs: ${outputs.map((item) => item.name).join(', ')})`,
      );
    }
    const rank = config.pooling === 'none' ? POOLED_RANK : TOKEN_RANK;
    if (output.shape.length !== rank || output.datatype !== 'FP32') {
      throw new Error(
        `output '${output.name}' must be FP32 of rank ${rank} for pooling '${config.pooling}', got ${output.datatype} [${output.shape.join(', ')}]`,
      );
    }
    this.#output = output.name;
    this.maxSequenceLength = config.maxSequenceLength ?? tokenizer.maxLength ?? DEFAULT_MAX_SEQUENCE_LENGTH;
    if (this.maxSequenceLength <= tokenizer.specialTokenCount) {
      throw new Error(`the maximum sequence length ${this.maxSequenceLength} leaves no room beside the special tokens`);
    }
  }

  #checkedIds(input: readonly number[], index: number): readonly number[] {
    const outside = input.find((id) => id >= this.#tokenizer.vocabularySize);
    if (outside !== undefined) {
      throw invalidInput(
        `input ${index}: token id ${outside} is outside the model's vocabulary (0 to ${this.#tokenizer.vocabularySize - 1})`,
        'input',
      );
    }
    return input;
  }

  /** Runs the graph once on rows of ids, padded to the longest, and pools each row to one vector. */
  async #pooledRun(rows: readonly (readonly number[])[]): Promise<PooledRun> {
    const lengths = rows.map((row) => row.length);
    // Not Math.max(...lengths): a spread of a large batch overflows the call stack (RangeError).
    const width = lengths.reduce((longest, length) => Math.max(longest, length), 0);
    const tensors = this.#idInputs.map(({ name, datatype }) => {
      if (name === INPUT_IDS) return idsTensor(name, datatype, rows, width, this.#tokenizer.padId);
      // One sequence per input: every real token is of type 0, as BERT's single-sequence template says.
      return idsTensor(name, datatype, rows, width, 0, name === ATTENTION_MASK ? 1 : 0);
    });
    const run = await this.#model.infer(tensors, [this.#output]);
    const [output] = run.outputs;
    const hidden = output.shape[output.shape.length - 1];
    const values = output.values as Float32Array;
    const vectors =
      this.#config.pooling === 'none'
        ? values
        : pool({ values, count: rows.length, sequence: width, hidden }, lengths, this.#config.pooling);
    return { vectors, hidden, executionSeconds: run.executionSeconds };
  }

  /**
   * The runs' vectors in one array of the request's own, as normalising
   * writes in place: never onnxruntime's output buffer (pooling `none`), and
   * not a copy of what pooling has just made when one run made it all.
   */
  #joined(parts: readonly PooledRun[], count: number, hidden: number): Float32Array {
    if (parts.length === 1 && this.#config.pooling !== 'none') return parts[0].vectors;
    const joined = new Float32Array(count * hidden);
    parts.forEach((part, index) => joined.set(part.vectors, index * RUN_BATCH_SIZE * hidden));
    return joined;
  }

  /**
   * Embeds texts or token id arrays, each vector cut to its first
   * `dimensions` components when given (checked by the caller). With
   * `maxTotalTokens`, inputs that the model would read more tokens of in
   * all (special tokens included, after truncation) get 400 before the
   * model runs.
   */
  async run(
    inputs: readonly EmbeddingInput[],
    dimensions: number | undefined,
    maxTotalTokens?: number,
  ): Promise<EmbeddingResult> {
    const sequences = inputs.map((input, index) =>
      typeof input === 'string'
        ? this.#tokenizer.textSequence(input, this.maxSequenceLength)
        : this.#tokenizer.sequence(this.#checkedIds(input, index), this.maxSequenceLength),
    );
    const rows = sequences.map((sequence) => sequence.ids);
    const inputTokens = rows.reduce((sum, row) => sum + row.length, 0);
    if (maxTotalTokens !== undefined && inputTokens > maxTotalTokens) {
      throw invalidRequest(
        `the inputs hold ${inputTokens} tokens; at most ${maxTotalTokens} are allowed per request`,
        'input',
      );
    }
    const parts: PooledRun[] = [];
    for (let start = 0; start < rows.length; start += RUN_BATCH_SIZE) {
      parts.push(await this.#pooledRun(rows.slice(start, start + RUN_BATCH_SIZE)));
    }
    const { hidden } = parts[0];
    const pooled = this.#joined(parts, rows.length, hidden);
    const dimension = dimensions ?? hidden;
    const vectors = dimension === hidden ? pooled : leadingDimensions(pooled, rows.length, hidden, dimension);
    const measured = this.#config.normalize ? normalize(vectors, dimension) : norms(vectors, dimension);
    return {
      vectors,
      count: rows.length,
      dimension,
      norms: measured,
      inputTokens,
      truncatedInputs: sequences.filter((sequence) => sequence.truncated).length,
      modelExecutionSeconds: parts.reduce((sum, part) => sum + part.executionSeconds, 0),
    };
  }
}
