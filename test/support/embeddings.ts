/** Text-embedding test helpers: demo-model repositories with other configs, and base64 vectors decoded. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelFolder } from './repository.js';
import type { TestServer, TestServerOptions } from './server.js';
import { DEMO_REPOSITORY, serveModels } from './server.js';

/** The demo embedding model's name in `models/`. */
export const DEMO_EMBEDDING = 'demo-embedding';
const DEMO_VERSION_DIR = join(DEMO_REPOSITORY, DEMO_EMBEDDING, '1');
const TOKENIZER_FILE = 'tokenizer.json';

/** The demo model's tokenizer.json, parsed. */
export async function readDemoTokenizer(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(DEMO_VERSION_DIR, TOKENIZER_FILE), 'utf8')) as Record<string, unknown>;
}

/** What to serve in place of the demo model's own files and config. */
export interface EmbeddingFolder {
  /** The model's name. @default 'demo-embedding' */
  readonly name?: string;
  /** Written as `config.json`. @default the demo model's own config */
  readonly config?: object;
  /** `model.onnx`. @default the demo model's graph */
  readonly model?: Uint8Array;
  /** Versions beside version 1, each folder's `model.onnx` by name (a broken one fails to load). @default none */
  readonly moreVersions?: Readonly<Record<string, Uint8Array>>;
  /** `tokenizer.json`. @default the demo model's tokenizer */
  readonly tokenizer?: string;
  /** Leave tokenizer.json out. @default false */
  readonly withoutTokenizer?: boolean;
}

/** A server over a temporary repository of the given embedding models; `close` removes the repository too. */
export async function serveEmbeddingModels(
  folders: readonly EmbeddingFolder[],
  options: TestServerOptions = {},
): Promise<TestServer> {
  const demoModel = await readFile(join(DEMO_VERSION_DIR, 'model.onnx'));
  const tokenizer = await readFile(join(DEMO_VERSION_DIR, TOKENIZER_FILE));
  const demoConfig = JSON.parse(await readFile(join(DEMO_REPOSITORY, DEMO_EMBEDDING, 'config.json'), 'utf8')) as object;
  const models = folders.map((folder): ModelFolder => ({
    name: folder.name ?? DEMO_EMBEDDING,
    versions: { '1': folder.model ?? demoModel, ...folder.moreVersions },
    config: folder.config ?? demoConfig,
    versionFiles: folder.withoutTokenizer === true ? {} : { [TOKENIZER_FILE]: folder.tokenizer ?? tokenizer },
  }));
  return serveModels(models, options);
}

/** A base64 embedding (little-endian float32 bytes, as OpenAI encodes it) as numbers. */
export function decodeBase64Vector(text: string): number[] {
  // A copy: the decoded bytes may not start on a float32 boundary of their buffer.
  return Array.from(new Float32Array(Uint8Array.from(Buffer.from(text, 'base64')).buffer));
}
