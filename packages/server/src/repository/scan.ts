import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
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
 * Whether an entry is a folder, following a symbolic link: Kubernetes
 * volumes (ConfigMaps, Secrets) and shared model stores link their folders.
 * A link that leads nowhere is not one.
 */
async function isFolder(parent: string, entry: Dirent): Promise<boolean> {
  if (!entry.isSymbolicLink()) return entry.isDirectory();
  return stat(join(parent, entry.name)).then(
    (target) => target.isDirectory(),
    () => false,
  );
}

/** The names of the folders in `parent` that `accept` takes, symbolic links to folders included. */
async function folders(parent: string, accept: (name: string) => boolean): Promise<string[]> {
  const entries = await readdir(parent, { withFileTypes: true });
  const names: string[] = [];
  for (const entry of entries) {
    if (accept(entry.name) && (await isFolder(parent, entry))) names.push(entry.name);
  }
  return names;
}

/**
 * Lists `<repo>/<model>/<version>/model.onnx`. Folders that hold no version
 * folder are still listed, with no versions, so that the model is reported
 * as failed rather than silently missing.
 */
export async function scanRepository(root: string): Promise<ModelEntry[]> {
  const entries: ModelEntry[] = [];
  for (const name of await folders(root, (entry) => !entry.startsWith('.'))) {
    const modelDir = join(root, name);
    const versions = (await folders(modelDir, (entry) => VERSION_FOLDER.test(entry)))
      .sort((a, b) => Number(a) - Number(b))
      .map((version) => ({
        version,
        modelPath: join(modelDir, version, MODEL_FILE),
        tokenizerPath: join(modelDir, version, TOKENIZER_FILE),
      }));
    entries.push({ name, versions, configPath: join(modelDir, MODEL_CONFIG_FILE) });
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}
