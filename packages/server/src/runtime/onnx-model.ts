import type { Datatype, Tensor, TensorMetadata } from '@inferlens/protocol';
import { elementCount, InferenceError, toBfloat16Bits, widenBfloat16Bits, zeroValues } from '@inferlens/protocol';
import * as ort from 'onnxruntime-node';
import { Node, Yallist } from 'yallist';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ModelConfig, TensorOverride } from '../repository/model-config.js';
import type { Bfloat16Adaptation } from './bfloat16-adapter.js';
import { adaptBfloat16 } from './bfloat16-adapter.js';
import { datatypeOfOrtType, ORT_TYPE_BY_DATATYPE } from './datatype-map.js';
import { float16Bits, float16Tensor } from './float16-tensor.js';
import type { LeftOutOutput } from './non-tensor-outputs.js';
import { describeLeftOutOutputs, listLeftOutOutputs } from './non-tensor-outputs.js';

/** A symbolic dimension of the graph (ONNX `dim_param`, such as `batch`) and the input axes that carry it. */
export interface SharedDimension {
  readonly name: string;
  /** Two or more, in the order of the signature's inputs. */
  readonly axes: readonly { readonly input: string; readonly axis: number }[];
}

/** The inputs and outputs a model takes and gives, with -1 for dynamic dimensions. */
export interface ModelSignature {
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
  /**
   * The symbolic dimensions that several input axes carry, which metadata's
   * -1 cannot show but a request must honour: one size for each. Absent or
   * empty when there are none.
   */
  readonly sharedDimensions?: readonly SharedDimension[];
  /**
   * Graph outputs that are not tensors (a ZipMap's sequence of maps), which
   * are neither listed in `outputs` nor fetched from a run, and why. Absent
   * or empty when there are none.
   */
  readonly leftOutOutputs?: readonly LeftOutOutput[];
}

/** What one run of the model gave. */
interface ModelRun {
  readonly outputs: Tensor[];
  /** Seconds the run took, the conversion of inputs and outputs included. */
  readonly executionSeconds: number;
}

const MILLIS_PER_SECOND = 1e3;

/** A dimension with a symbolic name (`batch`) or none is dynamic. */
const DYNAMIC_DIMENSION = -1;

function readSignature(
  values: readonly ort.InferenceSession.ValueMetadata[],
  overrides: readonly TensorOverride[],
  bfloat16: ReadonlySet<string>,
  kind: 'input' | 'output',
): TensorMetadata[] {
  return values.map((value) => {
    if (!value.isTensor) throw new Error(`${kind} '${value.name}' is not a tensor, which is not supported`);
    const datatype = bfloat16.has(value.name) ? 'BF16' : datatypeOfOrtType(value.type);
    if (datatype === undefined) {
      throw new Error(`${kind} '${value.name}' has element type '${value.type}', which has no protocol datatype`);
    }
    const override = overrides.find((item) => item.name === value.name);
    const shape =
      override?.shape ?? value.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : DYNAMIC_DIMENSION));
    return { name: value.name, datatype, shape: [...shape] };
  });
}

/**
 * The graph outputs that are not tensors, and why, read from the model file
 * only when there are any, so that other models load as they did.
 */
async function leftOutOutputs(path: string, session: ort.InferenceSession): Promise<LeftOutOutput[]> {
  const names = session.outputMetadata.filter((output) => !output.isTensor).map((output) => output.name);
  return names.length === 0 ? [] : describeLeftOutOutputs(await readFile(path), names);
}

/**
 * Refuses a config that names a left-out output: its shape or its labels
 * would never be served, and the config's author would not learn why.
 */
function checkConfigServes(config: ModelConfig, leftOut: readonly LeftOutOutput[]): void {
  for (const { name, reason } of leftOut) {
    if (config.outputs.some((item) => item.name === name)) {
      throw new Error(`config names output '${name}', which is not served: ${reason}`);
    }
    if (config.task === 'classification' && config.labelOutput === name) {
      throw new Error(`config's labelOutput '${name}' names an output that is not served: ${reason}`);
    }
  }
}

/**
 * The graph's symbolic dimensions that more than one input axis carries,
 * found once so that a request pays nothing for a model without any. An
 * unnamed dynamic dimension is '' to onnxruntime; an input whose shape the
 * config sets carries no names, its -1s being the config's.
 */
function sharedDimensions(
  inputs: readonly ort.InferenceSession.ValueMetadata[],
  overrides: readonly TensorOverride[],
): SharedDimension[] {
  const axesByName = new Map<string, { input: string; axis: number }[]>();
  for (const input of inputs) {
    if (!input.isTensor || overrides.some((item) => item.name === input.name)) continue;
    input.shape.forEach((dim, axis) => {
      if (typeof dim !== 'string' || dim === '') return;
      const axes = axesByName.get(dim) ?? [];
      axes.push({ input: input.name, axis });
      axesByName.set(dim, axes);
    });
  }
  return [...axesByName].filter(([, axes]) => axes.length > 1).map(([name, axes]) => ({ name, axes }));
}

function checkOverrides(overrides: readonly TensorOverride[], names: readonly string[], kind: string): void {
  for (const { name } of overrides) {
    if (!names.includes(name))
      throw new Error(`config names ${kind} '${name}', but the graph has ${kind}s ${names.join(', ')}`);
  }
}

const NO_ADAPTATION: Pick<Bfloat16Adaptation, 'inputs' | 'outputs'> = { inputs: new Set(), outputs: new Set() };

function toOrtTensor(tensor: Tensor): ort.Tensor {
  if (tensor.datatype === 'BF16') {
    // The adapted graph takes float32 and casts it to bfloat16 itself.
    return new ort.Tensor('float32', widenBfloat16Bits(tensor.values as Uint16Array), tensor.shape);
  }
  if (tensor.datatype === 'FP16') return float16Tensor(tensor.values as Uint16Array, tensor.shape);
  const type = ORT_TYPE_BY_DATATYPE[tensor.datatype];
  return new ort.Tensor(type as 'float32', tensor.values as Float32Array, tensor.shape);
}

function fromOrtTensor(name: string, datatype: Datatype, value: ort.Tensor): Tensor {
  const values =
    datatype === 'BF16'
      ? toBfloat16Bits(value.data as Float32Array)
      : datatype === 'FP16'
        ? float16Bits(value.data)
        : value.data;
  return { name, datatype, shape: value.dims, values };
}

/**
 * The options for a session on the bytes of the model at `path`: its external
 * data files (`model.onnx.data`, named relative to the model) are looked for
 * beside it, where onnxruntime looks when it opens the file itself, rather
 * than in the working directory.
 */
function fromBytesOf(path: string, options: ort.InferenceSession.SessionOptions): ort.InferenceSession.SessionOptions {
  const session = Object.assign({}, options.extra?.session as object, {
    model_external_initializers_file_folder_path: dirname(path),
  });
  return Object.assign({}, options, { extra: Object.assign({}, options.extra, { session }) });
}

/**
 * Opens a session on the model file. onnxruntime's JavaScript API refuses
 * models with bfloat16 inputs or outputs; those are rewritten to take and
 * give float32 (see `adaptBfloat16`), and only then, so other models load
 * straight from the file without being read into memory twice.
 */
async function openSession(
  path: string,
  options: ort.InferenceSession.SessionOptions,
): Promise<{ session: ort.InferenceSession; adapted: Pick<Bfloat16Adaptation, 'inputs' | 'outputs'> }> {
  try {
    return { session: await ort.InferenceSession.create(path, options), adapted: NO_ADAPTATION };
  } catch (error) {
    let adaptation: Bfloat16Adaptation | undefined;
    try {
      adaptation = adaptBfloat16(await readFile(path));
    } catch {
      // Not a readable ONNX model either: onnxruntime's own error says why.
    }
    if (adaptation === undefined) throw error;
    return {
      session: await ort.InferenceSession.create(adaptation.modelBytes, fromBytesOf(path, options)),
      adapted: adaptation,
    };
  }
}

/**
 * One version of an ONNX model, backed by one onnxruntime session that every
 * request shares (sessions are safe to run concurrently). Inputs are handed
 * to onnxruntime as the typed arrays the protocol decoded, without a copy.
 */
export class OnnxModel {
  readonly signature: ModelSignature;
  readonly #session: ort.InferenceSession;
  /**
   * Runs under way: `dispose` waits for them, as releasing the session fails every run not yet started.
   * A linked list, not a Set, for the reason `InFlightRequests` gives: each run's promise holds its request.
   */
  readonly #running = new Yallist<Promise<unknown>>();
  /** Set by `dispose`; later runs are refused as the model's, not onnxruntime's, fault. */
  #released: Promise<void> | undefined;

  private constructor(
    session: ort.InferenceSession,
    config: ModelConfig,
    adapted: Pick<Bfloat16Adaptation, 'inputs' | 'outputs'>,
    leftOut: readonly LeftOutOutput[],
  ) {
    this.#session = session;
    checkOverrides(config.inputs, session.inputNames, 'input');
    checkOverrides(config.outputs, session.outputNames, 'output');
    if (config.task === 'classification' && !session.outputNames.includes(config.labelOutput)) {
      // Else V1 would answer every output, and a misspelt labelOutput would go unnoticed.
      throw new Error(
        `config's labelOutput '${config.labelOutput}' names no output of the graph, whose outputs are ${session.outputNames.join(', ')}`,
      );
    }
    checkConfigServes(config, leftOut);
    // Inputs first: one that is not a tensor fails the load, as no run could be made without it.
    const inputs = readSignature(session.inputMetadata, config.inputs, adapted.inputs, 'input');
    const tensorOutputs = session.outputMetadata.filter((output) => output.isTensor);
    if (tensorOutputs.length === 0) {
      throw new Error(`the graph has no tensor output to serve: ${listLeftOutOutputs(leftOut)}`);
    }
    this.signature = {
      inputs,
      outputs: readSignature(tensorOutputs, config.outputs, adapted.outputs, 'output'),
      sharedDimensions: sharedDimensions(session.inputMetadata, config.inputs),
      leftOutOutputs: leftOut,
    };
  }

  /** Creates the session; throws with onnxruntime's reason if the file is not a usable model. */
  static async load(
    path: string,
    config: ModelConfig,
    options: ort.InferenceSession.SessionOptions,
  ): Promise<OnnxModel> {
    const { session, adapted } = await openSession(path, options);
    try {
      return new OnnxModel(session, config, adapted, await leftOutOutputs(path, session));
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  /**
   * Runs the model and times the run. Inputs must already fit the signature
   * (see `checkInputs`); `outputNames` are a subset of the signature's outputs.
   */
  async infer(inputs: readonly Tensor[], outputNames: readonly string[]): Promise<ModelRun> {
    if (this.#released !== undefined) {
      throw new InferenceError('MODEL_NOT_READY', 'the model is unloaded: the server is shutting down');
    }
    const start = performance.now();
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of inputs) feeds[input.name] = toOrtTensor(input);
    const run = this.#session.run(feeds, outputNames);
    const node = new Node<Promise<unknown>>(run);
    this.#running.pushNode(node);
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await run;
    } catch (error) {
      throw new InferenceError('INTERNAL', `onnxruntime failed to run the model: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      this.#running.removeNode(node);
    }
    const outputs = outputNames.map((name) => {
      const metadata = this.signature.outputs.find((output) => output.name === name)!;
      return fromOrtTensor(name, metadata.datatype, results[name]);
    });
    return { outputs, executionSeconds: (performance.now() - start) / MILLIS_PER_SECOND };
  }

  /** Runs the model once on zeros (dynamic dimensions set to 1), so the first request is not the slow one. */
  async warmup(): Promise<void> {
    const inputs = this.signature.inputs.map((input) => zeroTensor(input));
    await this.infer(
      inputs,
      this.signature.outputs.map((output) => output.name),
    );
  }

  /** Refuses new runs, lets those under way finish, then releases the session; once, however often it is called. */
  async dispose(): Promise<void> {
    this.#released ??= Promise.allSettled(this.#running).then(() => this.#session.release());
    await this.#released;
  }
}

function zeroTensor({ name, datatype, shape }: TensorMetadata): Tensor {
  const dims = shape.map((dim) => (dim === DYNAMIC_DIMENSION ? 1 : dim));
  return { name, datatype, shape: dims, values: zeroValues(datatype, elementCount(dims)) };
}
