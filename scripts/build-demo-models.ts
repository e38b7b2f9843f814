/**
 * Builds the demo model repository under models/: each demo model is trained,
 * written as `<name>/<version>/model.onnx` (with any other files of the version
 * folder, such as a tokenizer) and its `<name>/config.json`, then
 * loaded back with onnxruntime and checked. Exits non-zero if a check fails.
 * The output is deterministic, so re-running it leaves the files unchanged.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession } from 'onnxruntime-node';
import { iris } from './demo-models/iris.js';
import { textEmbedding } from './demo-models/text-embedding.js';
import type { DemoModel } from './demo-models/types.js';

const REPOSITORY_DIR = fileURLToPath(new URL('../models/', import.meta.url));
const MODEL_FILE = 'model.onnx';
const CONFIG_FILE = 'config.json';
const JSON_INDENT = 2;

const DEMO_MODELS: readonly DemoModel[] = [iris, textEmbedding];

async function buildDemoModel(model: DemoModel): Promise<boolean> {
  const modelDir = join(REPOSITORY_DIR, model.name);
  const versionDir = join(modelDir, String(model.version));
  const modelPath = join(versionDir, MODEL_FILE);

  await mkdir(versionDir, { recursive: true });
  await writeFile(modelPath, model.build());
  for (const [file, text] of Object.entries(model.versionFiles?.() ?? {}))
    await writeFile(join(versionDir, file), text);
  await writeFile(join(modelDir, CONFIG_FILE), `${JSON.stringify(model.config, null, JSON_INDENT)}\n`);

  const session = await InferenceSession.create(modelPath);
  try {
    const { passed, summary } = await model.check(session);
    console.log(`${model.name}: ${summary} -> ${relative(process.cwd(), modelPath)}`);
    return passed;
  } finally {
    await session.release();
  }
}

let allPassed = true;
for (const model of DEMO_MODELS) {
  allPassed = (await buildDemoModel(model)) && allPassed;
}
if (!allPassed) {
  process.exitCode = 1;
}
