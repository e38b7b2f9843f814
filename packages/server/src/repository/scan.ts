import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_CONFIG_FILE } from './model-config.js';

/** The file each version folder holds. */
const MODEL_FILE = 'model.onnx';
/** The Hugging Face tokenizer beside the model file of a `text_embedding` model. */
const TOKENIZER_FILE = 'tokenizer.json';

/** One model folder found in the repository. */
export interface ModelEntry {
  readonly name: string;
  /** Version folders (positive integers), ascending. */
  readonly versions: readonly ModelVersionEntry[];
  readonly configPath: string;
}

interface ModelVersionEntry {
  readonly version: string;
  readonly modelPath: string;
  /** Where a text model's tokenizer is: beside the model file. */
  readonly tokenizerPath: string;
}

/** A version folder's name is a positive integer, as in Triton and TF Serving. */
const VERSION_FOLDER = /^[1-9][0-9]*$/;

/**
 * Lists `<repo>/<model>/<version>/model.onnx`. Folders that hold no version
 * folder are still listed, with no versions, so that the model is reported
 * as failed rather than silently missing.
 */
export async function scanRepository(root: string): Promise<ModelEntry[]> {
  const models = await readdir(root, { withFileTypes: true });
  const entries: ModelEntry[] = [];
  for (const model of models) {
    if (!model.isDirectory() || model.name.startsWith('.')) continue;
    const modelDir = join(root, model.name);
    const children = await readdir(modelDir, { withFileTypes: true });
    const versions = children
      .filter((child) => child.isDirectory() && VERSION_FOLDER.test(child.name))
      .map((child) => child.name)
      .sort((a, b) => Number(a) - Number(b))
      .map((version) => ({
        version,
        modelPath: join(modelDir, version, MODEL_FILE),
        tokenizerPath: join(modelDir, version, TOKENIZER_FILE),
      }));
    entries.push({ name: model.name, versions, configPath: join(modelDir, MODEL_CONFIG_FILE) });
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}
