/** The repository's layout as Triton and KServe users lay it out, read by `ModelRepository` directly. */
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { InferenceError } from '@inferlens/protocol';
import { ModelRepository } from '../src/repository/model-repository.js';
import { silentLogger } from '../src/index.js';
import {
  encodeModel,
  identityModel,
  initializer,
  node,
  sequenceValueInfo,
  valueInfo,
} from '../../../scripts/onnx/graph.js';
import type { ModelFolder, TempRepository } from '../../../test/support/repository.js';
import { GARBAGE_MODEL, writeRepository } from '../../../test/support/repository.js';
import { zipMapClassifierModel } from '../../../test/support/models.js';

const MODEL = identityModel('float32', ['batch', 2]);

/** Loads a repository folder; `root` may differ from `repo.path` in how it is written. */
async function loadRepository(root: string): Promise<ModelRepository> {
  const repository = new ModelRepository(root, { logger: silentLogger, sessionOptions: {} });
  await repository.load();
  return repository;
}

function states(repository: ModelRepository): Record<string, string[]> {
  return Object.fromEntries(
    repository.models().map((model) => [model.name, model.versions.map((v) => `${v.version}:${v.state}`)]),
  );
}

describe('ModelRepository', () => {
  let repo: TempRepository;
  let repository: ModelRepository | undefined;

  async function setUp(models: readonly ModelFolder[]): Promise<void> {
    repo = await writeRepository(models);
  }

  afterEach(async () => {
    await repository?.close();
    repository = undefined;
    await repo.remove();
  });

  it('keeps failure reasons free of the server path when the repository path ends with a slash', async () => {
    await setUp([{ name: 'broken', versions: { '1': GARBAGE_MODEL } }]);
    repository = await loadRepository(`${repo.path}/`);
    const { failure } = repository.find('broken');
    expect(failure).to.match(/^Load model from broken\/1\/model\.onnx failed/);
    expect(failure).not.to.include(repo.path);
  });

  it('serves symlinked model folders and version folders, as Kubernetes volumes lay them out', async () => {
    await setUp([
      { name: 'target', versions: { '1': MODEL } },
      { name: 'other', versions: { '1': MODEL } },
    ]);
    await symlink(join(repo.path, 'target'), join(repo.path, 'linked'));
    await symlink(join(repo.path, 'target', '1'), join(repo.path, 'other', '2'));
    repository = await loadRepository(repo.path);
    expect(states(repository)).to.deep.equal({
      linked: ['1:ready'],
      other: ['1:ready', '2:ready'],
      target: ['1:ready'],
    });
  });

  it('refuses a config.json field it does not know, naming the file and the field', async () => {
    await setUp([
      { name: 'typo', versions: { '1': MODEL }, config: { maxBatchsize: 4 } },
      { name: 'text', versions: { '1': MODEL }, config: { task: 'text_embedding', embedding: { poolng: 'cls' } } },
    ]);
    repository = await loadRepository(repo.path);
    expect(repository.find('typo').failure).to.equal(
      'invalid typo/config.json: unknown field "maxBatchsize"; the fields are task, labels, labelOutput, maxBatchSize, inputs, outputs, embedding',
    );
    expect(repository.find('text').failure).to.match(
      /^invalid text\/config\.json: unknown field "embedding\.poolng"; /,
    );
  });

  it('refuses a classifier whose labelOutput names no output, rather than answer V1 with every output', async () => {
    await setUp([
      { name: 'misspelt', versions: { '1': MODEL }, config: { task: 'classification', labelOutput: 'labels' } },
      { name: 'named', versions: { '1': MODEL }, config: { task: 'classification', labelOutput: 'output' } },
    ]);
    repository = await loadRepository(repo.path);
    expect(repository.find('misspelt').failure).to.equal(
      "config's labelOutput 'labels' names no output of the graph, whose outputs are output",
    );
    expect(states(repository)['named']).to.deep.equal(['1:ready']);
  });

  it('names config.json in the failure when it cannot be read', async () => {
    await setUp([{ name: 'm', versions: { '1': MODEL } }]);
    await mkdir(join(repo.path, 'm', 'config.json'));
    repository = await loadRepository(repo.path);
    expect(repository.find('m').failure).to.match(/^cannot read m\/config\.json: EISDIR/);
  });

  it('reads the folder once, at start: versions and models added or removed later change nothing served', async () => {
    await setUp([{ name: 'm', versions: { '1': MODEL } }]);
    repository = await loadRepository(repo.path);
    await rm(join(repo.path, 'm', '1'), { recursive: true });
    await mkdir(join(repo.path, 'm', '2'));
    await writeFile(join(repo.path, 'm', '2', 'model.onnx'), MODEL);
    await mkdir(join(repo.path, 'added', '1'), { recursive: true });
    await writeFile(join(repo.path, 'added', '1', 'model.onnx'), MODEL);
    expect(states(repository)).to.deep.equal({ m: ['1:ready'] });
    const input = { name: 'input', datatype: 'FP32', shape: [1, 2], values: Float32Array.of(1, 2) } as const;
    const { outputs } = await repository.find('m').model!.infer([input], ['output']);
    expect([...(outputs[0].values as Float32Array)]).to.deep.equal([1, 2]);
  });

  it('loads only model.onnx of a version folder, naming it when it is missing', async () => {
    await setUp([{ name: 'm', versions: {} }]);
    await mkdir(join(repo.path, 'm', '1'));
    await writeFile(join(repo.path, 'm', '1', 'other.onnx'), MODEL);
    repository = await loadRepository(repo.path);
    expect(repository.find('m').failure).to.match(/^ENOENT: .*'m\/1\/model\.onnx'$/);
  });

  it('leaves out a graph input that the graph gives a default (an initializer), as onnxruntime does', async () => {
    const withDefault = encodeModel({
      name: 'bias_default',
      inputs: [valueInfo('x', 'float32', ['batch', 2]), valueInfo('bias', 'float32', [2])],
      outputs: [valueInfo('y', 'float32', ['batch', 2])],
      initializers: [initializer('bias', 'float32', [2], [10, 20])],
      nodes: [node('Add', ['x', 'bias'], ['y'])],
    });
    await setUp([{ name: 'm', versions: { '1': withDefault } }]);
    repository = await loadRepository(repo.path);
    expect(repository.find('m').model!.signature.inputs).to.deep.equal([
      { name: 'x', datatype: 'FP32', shape: [-1, 2] },
    ]);
  });

  describe('outputs that are not tensors', () => {
    const ZIPMAP_REASON =
      "it is a sequence of maps, not a tensor (a ZipMap node's: convert the classifier with skl2onnx's options={id(model): {'zipmap': False}} to get its probabilities as a float tensor)";
    const scores = {
      name: 'float_input',
      datatype: 'FP32',
      shape: [2, 3],
      values: Float32Array.of(1, 5, 2, 9, 0, 0),
    } as const;

    /** Loads the repository with a logger that keeps what it is told, by level. */
    async function loadLogged(): Promise<{ info: string[]; warn: string[]; error: string[] }> {
      const log = { info: [] as string[], warn: [] as string[], error: [] as string[] };
      const logger = {
        info: (message: string) => log.info.push(message),
        warn: (message: string) => log.warn.push(message),
        error: (message: string) => log.error.push(message),
      };
      repository = new ModelRepository(repo.path, { logger, sessionOptions: {} });
      await repository.load();
      return log;
    }

    it("serves a ZipMap classifier's tensor outputs, and says once per version which output it leaves out", async () => {
      await setUp([{ name: 'iris', versions: { '1': zipMapClassifierModel(), '2': zipMapClassifierModel() } }]);
      const log = await loadLogged();
      expect(log.warn).to.deep.equal([
        `model 'iris' version 1 leaves out output 'output_probability': ${ZIPMAP_REASON}`,
        `model 'iris' version 2 leaves out output 'output_probability': ${ZIPMAP_REASON}`,
      ]);
      expect(log.error).to.deep.equal([]);
      const { model } = repository!.findReady('iris');
      expect(model.signature.outputs).to.deep.equal([{ name: 'output_label', datatype: 'INT64', shape: [-1] }]);
      const { outputs } = await model.infer([scores], ['output_label']);
      expect([...(outputs[0].values as BigInt64Array)]).to.deep.equal([1n, 0n]);
    });

    it('leaves out a sequence of tensors, with no advice on ZipMap', async () => {
      const withSequence = encodeModel({
        name: 'sequence_output',
        inputs: [valueInfo('x', 'float32', ['batch', 2])],
        outputs: [valueInfo('y', 'float32', ['batch', 2]), sequenceValueInfo('s', 'float32')],
        nodes: [node('Identity', ['x'], ['y']), node('SequenceConstruct', ['x'], ['s'])],
      });
      await setUp([{ name: 'm', versions: { '1': withSequence } }]);
      const log = await loadLogged();
      expect(log.warn).to.deep.equal([
        "model 'm' version 1 leaves out output 's': it is a sequence of tensors, not a tensor",
      ]);
      expect(repository!.findReady('m').model.signature.outputs.map((output) => output.name)).to.deep.equal(['y']);
    });

    it('says nothing for a model whose outputs are all tensors', async () => {
      await setUp([{ name: 'm', versions: { '1': MODEL } }]);
      const log = await loadLogged();
      expect(log.warn).to.deep.equal([]);
      expect(log.info).to.deep.equal(["model 'm' version 1 is ready"]);
    });

    it('fails a model none of whose outputs is a tensor, saying why', async () => {
      await setUp([{ name: 'm', versions: { '1': zipMapClassifierModel({ tensorOutputs: false }) } }]);
      repository = await loadRepository(repo.path);
      expect(repository.find('m').failure).to.equal(
        `the graph has no tensor output to serve: output 'output_probability': ${ZIPMAP_REASON}`,
      );
    });

    it('fails a config whose labelOutput or output shape names an output left out', async () => {
      await setUp([
        {
          name: 'label',
          versions: { '1': zipMapClassifierModel() },
          config: { task: 'classification', labelOutput: 'output_probability' },
        },
        {
          name: 'shape',
          versions: { '1': zipMapClassifierModel() },
          config: { outputs: [{ name: 'output_probability', shape: [-1, 3] }] },
        },
        {
          name: 'served',
          versions: { '1': zipMapClassifierModel() },
          config: { task: 'classification', labelOutput: 'output_label' },
        },
      ]);
      repository = await loadRepository(repo.path);
      expect(repository.find('label').failure).to.equal(
        `config's labelOutput 'output_probability' names an output that is not served: ${ZIPMAP_REASON}`,
      );
      expect(repository.find('shape').failure).to.equal(
        `config names output 'output_probability', which is not served: ${ZIPMAP_REASON}`,
      );
      expect(states(repository)['served']).to.deep.equal(['1:ready']);
    });

    it('still fails a model with an input that is not a tensor, naming the input', async () => {
      const sequenceInput = encodeModel({
        name: 'sequence_input',
        inputs: [sequenceValueInfo('s', 'float32')],
        outputs: [valueInfo('n', 'int64', [])],
        nodes: [node('SequenceLength', ['s'], ['n'])],
      });
      await setUp([{ name: 'm', versions: { '1': sequenceInput } }]);
      repository = await loadRepository(repo.path);
      expect(repository.find('m').failure).to.equal("input 's' is not a tensor, which is not supported");
    });
  });

  describe('close', () => {
    const input = { name: 'input', datatype: 'FP32', shape: [1, 2], values: new Float32Array(2) } as const;

    it('lets a run that began before it finish, then answers 503 for the model, and may be called twice', async () => {
      await setUp([{ name: 'm', versions: { '1': MODEL } }]);
      repository = await loadRepository(repo.path);
      const { model } = repository.findReady('m');
      const run = model.infer([input], ['output']);
      await repository.close();
      expect((await run).outputs[0].shape).to.deep.equal([1, 2]);
      expect(states(repository)).to.deep.equal({ m: ['1:unloaded'] });
      expect(() => repository!.findReady('m'))
        .to.throw(InferenceError, "model 'm' version 1 is unloaded")
        .with.property('status', 503);
      const late = await model.infer([input], ['output']).catch((error: unknown) => error);
      expect(late).to.be.instanceOf(InferenceError).with.property('status', 503);
      await repository.close();
    });

    it('stops a load in progress and releases what it loaded', async () => {
      await setUp([
        { name: 'a', versions: { '1': MODEL, '2': MODEL } },
        { name: 'b', versions: { '1': MODEL } },
      ]);
      repository = new ModelRepository(repo.path, { logger: silentLogger, sessionOptions: {} });
      const loading = repository.load();
      await repository.close();
      await loading;
      expect(states(repository)).to.deep.equal({ a: ['1:unloaded', '2:unloaded'], b: ['1:unloaded'] });
      // close() ran before the folder scan settled, so no session was opened: the states alone would not tell.
      const opened = repository
        .models()
        .flatMap(({ name, versions }) =>
          versions.filter(({ model }) => model).map(({ version }) => `${name}:${version}`),
        );
      expect(opened).to.deep.equal([]);
    });
  });
});
