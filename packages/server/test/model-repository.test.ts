/** The repository's layout as Triton and KServe users lay it out, read by `ModelRepository` directly. */
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { ModelRepository } from '../src/repository/model-repository.js';
import { silentLogger } from '../src/index.js';
import { identityModel } from '../../../scripts/onnx/graph.js';
import type { ModelFolder, TempRepository } from '../../../test/support/repository.js';
import { GARBAGE_MODEL, writeRepository } from '../../../test/support/repository.js';

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
});
