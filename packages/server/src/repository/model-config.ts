import { readFile } from 'node:fs/promises';
import type { EmbeddingConfig } from './embedding-config.js';
import { parseEmbeddingConfig } from './embedding-config.js';
import { isJsonObject } from '@inferlens/protocol';
import { checkKnownFields } from './known-fields.js';

/**
 * What a model does; it decides how V1 predictions are read from its
 * outputs. A `text_embedding` model takes texts (its folder holds a
 * tokenizer.json) and answers one vector per text.
 */
export type ModelTask = 'classification' | 'regression' | 'generic' | 'text_embedding';

const TASKS: readonly ModelTask[] = ['classification', 'regression', 'generic', 'text_embedding'];

/** The fields of `config.json`, in the order the docs list them. */
const FIELDS: readonly (keyof ModelConfig)[] = [
  'task',
  'labels',
  'labelOutput',
  'maxBatchSize',
  'inputs',
  'outputs',
  'embedding',
];

/** A shape given in config for an input or output whose graph shape is too loose. */
export interface TensorOverride {
  /** The graph's input or output name. */
  name: string;
  /** Dimensions, -1 for a dynamic one. */
  shape: number[];
}

/**
 * The optional `config.json` beside a model's version folders. Every field
 * has a default, so a model folder with no config serves as is.
 */
export interface ModelConfig {
  /**
   * What the model does. For `classification`, V1 predictions are the
   * values of `labelOutput`, as KServe's sklearn server answers.
   * @default 'generic'
   */
  task: ModelTask;
  /** Class names by class index, appended to the answers of the classification extension. @default [] */
  labels: string[];
  /** The output that holds predicted classes. @default 'label' */
  labelOutput: string;
  /** The largest first dimension a request may have; 0 for no limit. @default 0 */
  maxBatchSize: number;
  /** Shapes that replace the graph's for the named inputs. @default [] */
  inputs: TensorOverride[];
  /** Shapes that replace the graph's for the named outputs. @default [] */
  outputs: TensorOverride[];
  /** Pooling, normalisation and lengths of a `text_embedding` model; set for that task only. */
  embedding?: EmbeddingConfig;
}

/** The file name of a model's config, beside its version folders. */
export const MODEL_CONFIG_FILE = 'config.json';

export const DEFAULT_MODEL_CONFIG: Readonly<ModelConfig> = Object.freeze({
  task: 'generic',
  labels: [],
  labelOutput: 'label',
  maxBatchSize: 0,
  inputs: [],
  outputs: [],
});

function parseOverrides(value: unknown, key: string): TensorOverride[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`"${key}" must be an array of {name, shape}`);
  return value.map((item, index) => {
    const valid =
      isJsonObject(item) &&
      typeof item.name === 'string' &&
      Array.isArray(item.shape) &&
      item.shape.every((dim) => Number.isInteger(dim) && (dim as number) >= -1);
    if (!valid) throw new Error(`"${key}[${index}]" must be {"name": string, "shape": integers >= -1}`);
    return { name: item.name as string, shape: item.shape as number[] };
  });
}

/** Validates a parsed config object, naming the field at fault. */
function parseModelConfig(value: unknown): ModelConfig {
  if (!isJsonObject(value)) throw new Error('the config must be a JSON object');
  checkKnownFields(value, FIELDS);
  const { task, labels, labelOutput, maxBatchSize, embedding } = value;
  if (task !== undefined && !TASKS.includes(task as ModelTask)) {
    throw new Error(`"task" must be one of ${TASKS.join(', ')}, got ${JSON.stringify(task)}`);
  }
  if (labels !== undefined && !(Array.isArray(labels) && labels.every((l) => typeof l === 'string'))) {
    throw new Error('"labels" must be an array of strings');
  }
  if (labelOutput !== undefined && typeof labelOutput !== 'string') {
    throw new Error('"labelOutput" must be a string');
  }
  if (maxBatchSize !== undefined && !(Number.isInteger(maxBatchSize) && (maxBatchSize as number) >= 0)) {
    throw new Error(`"maxBatchSize" must be a non-negative integer, got ${JSON.stringify(maxBatchSize)}`);
  }
  if (embedding !== undefined && task !== 'text_embedding') {
    throw new Error('"embedding" settings need "task": "text_embedding"');
  }
  const config: ModelConfig = {
    task: (task as ModelTask | undefined) ?? DEFAULT_MODEL_CONFIG.task,
    labels: labels ?? [],
    labelOutput: labelOutput ?? DEFAULT_MODEL_CONFIG.labelOutput,
    maxBatchSize: (maxBatchSize as number | undefined) ?? DEFAULT_MODEL_CONFIG.maxBatchSize,
    inputs: parseOverrides(value.inputs, 'inputs'),
    outputs: parseOverrides(value.outputs, 'outputs'),
  };
  if (task === 'text_embedding') config.embedding = parseEmbeddingConfig(embedding);
  return config;
}

/** Reads a model's config file; a missing file means the defaults. */
export async function readModelConfig(path: string): Promise<ModelConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ...DEFAULT_MODEL_CONFIG };
    // Node leaves the path out of some reasons (EISDIR): the failure must still say which file.
    throw new Error(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parseModelConfig(JSON.parse(text));
  } catch (error) {
    throw new Error(`invalid ${path}: ${(error as Error).message}`, { cause: error });
  }
}
