import type { InferenceSession } from 'onnxruntime-node';

/** Outcome of checking a written demo model with onnxruntime. */
export interface DemoModelCheck {
  readonly passed: boolean;
  /** One line for the build log, e.g. 'accuracy 0.973 on 150 rows'. */
  readonly summary: string;
}

/** A model that scripts/build-demo-models.ts writes into the demo model repository. */
export interface DemoModel {
  /** Directory under the repository, and the name clients address the model by. */
  readonly name: string;
  /** Version directory the model file is written to. */
  readonly version: number;
  /** Written as `<name>/config.json`, next to the version directories. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Trains the model if it needs training, and serialises it as ONNX. */
  build(): Uint8Array;
  /** Other files of the version folder, beside `model.onnx` (a tokenizer), by file name. */
  versionFiles?(): Readonly<Record<string, string>>;
  /** Checks the model as onnxruntime loaded it from disk, so the file itself is what gets tested. */
  check(session: InferenceSession): Promise<DemoModelCheck>;
}
