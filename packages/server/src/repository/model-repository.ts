import type { ErrorKind } from '@inferlens/protocol';
import { InferenceError } from '@inferlens/protocol';
import type * as ort from 'onnxruntime-node';
import { access } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Logger } from '../logger.js';
import { settledWithin } from '../settled-within.js';
import { listLeftOutOutputs } from '../runtime/non-tensor-outputs.js';
import { OnnxModel } from '../runtime/onnx-model.js';
import { TextEmbedder } from '../runtime/text-embedder.js';
import type { ModelConfig } from './model-config.js';
import { DEFAULT_MODEL_CONFIG, readModelConfig } from './model-config.js';
import type { ModelEntry } from './scan.js';
import { scanRepository } from './scan.js';

/** `unloaded`: its session was released when the repository closed (as Triton reports an unloaded model). */
export type VersionState = 'loading' | 'ready' | 'failed' | 'unloaded';

/** One version of a model and where its loading stands. */
export interface ModelVersion {
  readonly modelName: string;
  readonly version: string;
  readonly config: ModelConfig;
  readonly state: VersionState;
  /** Set once `state` is `ready`. */
  readonly model?: OnnxModel;
  /** Set once a `text_embedding` model is ready: its tokenizer, pooling and normalisation around `model`. */
  readonly embedder?: TextEmbedder;
  /** When the version became ready, in milliseconds since the epoch. */
  readonly readyAt?: number;
  /** Why loading failed, once `state` is `failed`. */
  readonly failure?: string;
}

/** A model folder: its versions, highest last, and its config. */
export interface ServedModel {
  readonly name: string;
  readonly versions: readonly ModelVersion[];
}

interface MutableVersion {
  modelName: string;
  version: string;
  config: ModelConfig;
  state: VersionState;
  model?: OnnxModel;
  embedder?: TextEmbedder;
  readyAt?: number;
  failure?: string;
}

interface ModelRepositoryOptions {
  /** Where load failures and progress are reported. */
  logger: Logger;
  /** Passed to every onnxruntime session. */
  sessionOptions: ort.InferenceSession.SessionOptions;
}

/**
 * The models of one repository folder. Every version is loaded and warmed
 * up once at start; a version that fails is kept, failed, with its reason,
 * and every other model keeps serving.
 */
export class ModelRepository {
  readonly root: string;
  readonly #options: ModelRepositoryOptions;
  readonly #models = new Map<string, { name: string; versions: MutableVersion[] }>();
  #loaded = false;
  /** The load under way or done, which `close` waits for. */
  #loading: Promise<void> | undefined;
  #closed = false;

  constructor(root: string, options: ModelRepositoryOptions) {
    // Resolved, as the paths joined under it are: a trailing slash would otherwise keep them from being shown relative.
    this.root = resolve(root);
    this.#options = options;
  }

  /** True once every model has finished loading, whether it succeeded or not. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /**
   * Scans the folder and loads every model version, one at a time. Every
   * version is listed as loading before the first one loads, so a request
   * never sees a lower version stand in for one still loading.
   */
  load(): Promise<void> {
    this.#loading ??= this.#load();
    return this.#loading;
  }

  async #load(): Promise<void> {
    const entries = await scanRepository(this.root);
    for (const entry of entries) {
      const versions: MutableVersion[] = entry.versions.map(({ version }) => ({
        modelName: entry.name,
        version,
        config: { ...DEFAULT_MODEL_CONFIG },
        state: 'loading',
      }));
      if (versions.length === 0) versions.push(missingVersion(entry.name));
      this.#models.set(entry.name, { name: entry.name, versions });
    }
    for (const entry of entries) await this.#loadModel(entry);
    this.#loaded = true;
  }

  async #loadModel(entry: ModelEntry): Promise<void> {
    const { logger } = this.#options;
    const slot = this.#models.get(entry.name)!;
    if (entry.versions.length === 0) {
      logger.error(notReadyMessage(slot.versions[0]));
      return;
    }
    let config: ModelConfig | undefined;
    let configFailure: string | undefined;
    try {
      config = await readModelConfig(entry.configPath);
    } catch (error) {
      configFailure = (error as Error).message;
    }
    for (const [index, { version, modelPath, tokenizerPath }] of entry.versions.entries()) {
      // A repository closed while loading loads no more sessions: nothing would release them.
      if (this.#closed) return;
      const served = slot.versions[index];
      try {
        if (config === undefined) throw new Error(configFailure);
        served.config = config;
        await access(modelPath);
        const model = await OnnxModel.load(modelPath, config, this.#options.sessionOptions);
        try {
          // A text model's load runs a probe text through it, which warms it up with real token ids.
          if (config.embedding === undefined) await model.warmup();
          else served.embedder = await TextEmbedder.load(model, tokenizerPath, config.embedding);
        } catch (error) {
          await model.dispose();
          throw error;
        }
        if (this.#closed) {
          // close() stopped waiting for this version: nothing else would release its session.
          served.state = 'unloaded';
          await model.dispose();
          return;
        }
        served.model = model;
        served.readyAt = Date.now();
        served.state = 'ready';
        logger.info(`model '${entry.name}' version ${version} is ready`);
        const { leftOutOutputs = [] } = model.signature;
        if (leftOutOutputs.length > 0) {
          logger.warn(`model '${entry.name}' version ${version} leaves out ${listLeftOutOutputs(leftOutOutputs)}`);
        }
      } catch (error) {
        served.state = 'failed';
        // Paths inside the repository are shown relative to it: clients need not learn the server's layout.
        served.failure = (error as Error).message.replaceAll(`${this.root}${sep}`, '').trim();
        logger.error(`model '${entry.name}' version ${version} failed to load: ${served.failure}`);
      }
    }
  }

  /** Model names, sorted. */
  modelNames(): string[] {
    return [...this.#models.keys()];
  }

  /** Every model and its versions. */
  models(): ServedModel[] {
    return [...this.#models.values()];
  }

  /**
   * The named version, or by default the highest one that is ready: as
   * Triton picks its latest version, a higher version that failed to load
   * (or is still loading) leaves the model served by a lower one. With none
   * ready, the highest, whose state says why. Throws 404 for an unknown
   * model or version; the caller decides whether a version that is not
   * ready is an error (infer) or an answer (ready checks).
   */
  find(name: string, version?: string): ModelVersion {
    const model = this.#models.get(name);
    if (model === undefined) throw new InferenceError('MODEL_NOT_FOUND', `model '${name}' is not in the repository`);
    if (version === undefined) {
      // Every call without a version comes here: a search from the top, with no list of the ready ones made.
      const { versions } = model;
      for (let index = versions.length - 1; index >= 0; index--) {
        if (versions[index].state === 'ready') return versions[index];
      }
      return versions[versions.length - 1];
    }
    const found = model.versions.find((item) => item.version === version);
    if (found === undefined) {
      throw new InferenceError(
        'MODEL_VERSION_NOT_FOUND',
        `model '${name}' has no version '${version}' (versions: ${model.versions.map((v) => v.version).join(', ')})`,
      );
    }
    return found;
  }

  /** Like `find`, but throws 503 unless the version is ready to serve. */
  findReady(name: string, version?: string): ModelVersion & { model: OnnxModel } {
    const found = this.find(name, version);
    if (found.state === 'ready' && found.model !== undefined) return found as ModelVersion & { model: OnnxModel };
    throw new InferenceError('MODEL_NOT_READY', notReadyMessage(found));
  }

  /**
   * Like `findReady` (its default version), for a `text_embedding` model.
   * A model of another task is `otherTask`: 400 by default, for a request
   * that uses it; 404 where the model is looked up as one of OpenAI's
   * models, whose list leaves it out (OpenAI answers 404 for those).
   */
  findEmbedder(
    name: string,
    otherTask: ErrorKind = 'INVALID_REQUEST',
  ): ModelVersion & { model: OnnxModel; embedder: TextEmbedder } {
    const found = this.findReady(name);
    if (found.embedder !== undefined) return found as ModelVersion & { model: OnnxModel; embedder: TextEmbedder };
    throw new InferenceError(
      otherTask,
      `model '${name}' is not a text-embedding model (its task is '${found.config.task}')`,
    );
  }

  /**
   * Stops a load under way, lets the runs under way finish and releases
   * every session; every version that is not failed is then unloaded (503).
   * The version a load is on when it stops is waited for `loadWaitMs` at
   * most (by default, to its end): one that finishes loading later is
   * released as it does. Calling it again does nothing more.
   */
  async close(loadWaitMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.#closed = true;
    if (this.#loading !== undefined) {
      if (loadWaitMs === Number.POSITIVE_INFINITY) await this.#loading.catch(() => undefined);
      else await settledWithin(this.#loading, loadWaitMs);
    }
    for (const model of this.#models.values()) {
      for (const version of model.versions) {
        if (version.state === 'failed') continue;
        version.state = 'unloaded';
        await version.model?.dispose();
      }
    }
  }
}

/** A model folder with no version folder is served as one failed version. */
function missingVersion(modelName: string): MutableVersion {
  return {
    modelName,
    version: '1',
    config: { ...DEFAULT_MODEL_CONFIG },
    state: 'failed',
    failure: 'the model folder holds no version folder (<model>/<version>/model.onnx)',
  };
}

/** Why a version is not ready, for error answers. */
export function notReadyMessage(version: ModelVersion): string {
  const label = `model '${version.modelName}' version ${version.version}`;
  if (version.state === 'failed') return `${label} failed to load: ${version.failure}`;
  return `${label} is ${version.state === 'unloaded' ? 'unloaded: the server is shutting down' : 'loading'}`;
}
