import type { EmbeddingInput } from '@inferlens/protocol';
import { invalidRequest } from '@inferlens/protocol';
import type { EmbeddingConfig } from '../repository/embedding-config.js';
import type { ModelSignature, OnnxModel } from './onnx-model.js';
import type { EmbeddingResult } from './text-graph.js';
import { TextGraph } from './text-graph.js';
import { TextTokenizer } from './text-tokenizer.js';

/** The name of the texts input and of the vectors output in V2 metadata and requests. */
export const TEXT_INPUT = 'text';
export const EMBEDDING_OUTPUT = 'embedding';

/** Runs once at load, to check the graph end to end and learn its vector length. */
const PROBE_TEXT = 'hello';

/**
 * What zero inputs give: no vectors of the asked length. A V2 tensor of shape
 * `[0]` is a valid (empty) batch, which any other V2 model answers with empty
 * outputs; the graph is not run, as a batch of zero sequences has no width.
 */
function emptyResult(dimension: number): EmbeddingResult {
  return {
    vectors: new Float32Array(0),
    count: 0,
    dimension,
    norms: [],
    inputTokens: 0,
    truncatedInputs: 0,
    modelExecutionSeconds: 0,
  };
}

/**
 * A text-embedding model as the protocols serve it: its graph, the vector
 * length learned from running it once at load, and the shorter lengths a
 * request may ask for.
 */
export class TextEmbedder {
  readonly #graph: TextGraph;
  /** The full vector length, learned from the graph at load. */
  readonly dimension: number;
  /** The vector lengths a request may ask for: the configured shorter ones and the full one, ascending. */
  readonly allowedDimensions: readonly number[];
  /** What V2 metadata shows: texts in, vectors out. */
  readonly signature: ModelSignature;
  /** The longest sequence, in tokens with the special ones; longer inputs are cut to it. */
  readonly maxSequenceLength: number;

  private constructor(graph: TextGraph, dimension: number, configured: readonly number[]) {
    this.#graph = graph;
    this.dimension = dimension;
    this.maxSequenceLength = graph.maxSequenceLength;
    this.allowedDimensions = [...new Set([...configured, dimension])].sort((a, b) => a - b);
    this.signature = {
      inputs: [{ name: TEXT_INPUT, datatype: 'BYTES', shape: [-1] }],
      outputs: [{ name: EMBEDDING_OUTPUT, datatype: 'FP32', shape: [-1, dimension] }],
    };
  }

  /** Reads the tokenizer, checks the graph and runs it once; throws with the reason the model cannot serve. */
  static async load(model: OnnxModel, tokenizerPath: string, config: EmbeddingConfig): Promise<TextEmbedder> {
    const graph = new TextGraph(model, await TextTokenizer.load(tokenizerPath), config);
    const { dimension } = await graph.run([PROBE_TEXT], undefined);
    const tooLong = config.dimensions.filter((dimensions) => dimensions > dimension);
    if (tooLong.length > 0) {
      throw new Error(`"embedding.dimensions" lists ${tooLong.join(', ')}, longer than the model's ${dimension}`);
    }
    return new TextEmbedder(graph, dimension, config.dimensions);
  }

  /**
   * Embeds texts or token id arrays. `dimensions`, when given, must be one
   * of `allowedDimensions`, and the tokens the model reads must not exceed
   * `maxTotalTokens`, when given; 400 otherwise.
   */
  async embed(
    inputs: readonly EmbeddingInput[],
    dimensions?: number,
    maxTotalTokens?: number,
  ): Promise<EmbeddingResult> {
    if (dimensions !== undefined && !this.allowedDimensions.includes(dimensions)) {
      throw invalidRequest(
        `"dimensions" ${dimensions} is not supported by this model; it allows ${this.allowedDimensions.join(', ')}`,
        'dimensions',
      );
    }
    if (inputs.length === 0) return emptyResult(dimensions ?? this.dimension);
    return this.#graph.run(inputs, dimensions, maxTotalTokens);
  }
}
