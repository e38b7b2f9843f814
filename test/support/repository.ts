import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One model folder of a temporary model repository. */
export interface ModelFolder {
  /** The folder's name, which is the model's name. */
  readonly name: string;
  /** `model.onnx` contents by version folder name, e.g. `{ '1': bytes }`; none gives an empty model folder. */
  readonly versions: Readonly<Record<string, Uint8Array>>;
  /** Written as `config.json`: objects as JSON, strings as they are (to write a broken config). */
  readonly config?: object | string;
  /** Other files of every version folder, beside `model.onnx` (a tokenizer.json), by file name. */
  readonly versionFiles?: Readonly<Record<string, Uint8Array | string>>;
}

/** A model repository folder under the system's temporary folder. */
export interface TempRepository {
  readonly path: string;
  /** Deletes the folder and everything in it. */
  remove(): Promise<void>;
}

/** Bytes that are not an ONNX model: onnxruntime fails to load them. */
export const GARBAGE_MODEL: Uint8Array = new TextEncoder().encode('this is not an ONNX model\n');

/** Writes `<tmp>/<model>/<version>/model.onnx` (and `<tmp>/<model>/config.json`) for each model. */
export async function writeRepository(models: readonly ModelFolder[]): Promise<TempRepository> {
  const path = await mkdtemp(join(tmpdir(), 'inferlens-test-'));
  try {
    for (const model of models) {
      const modelDir = join(path, model.name);
      await mkdir(modelDir, { recursive: true });
      for (const [version, bytes] of Object.entries(model.versions)) {
        await mkdir(join(modelDir, version));
        await writeFile(join(modelDir, version, 'model.onnx'), bytes);
        for (const [file, contents] of Object.entries(model.versionFiles ?? {})) {
          await writeFile(join(modelDir, version, file), contents);
        }
      }
      if (model.config !== undefined) {
        const text = typeof model.config === 'string' ? model.config : JSON.stringify(model.config);
        await writeFile(join(modelDir, 'config.json'), text);
      }
    }
  } catch (error) {
    await rm(path, { recursive: true, force: true });
    throw error;
  }
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
