/** The repository's layout as Triton and KServe users lay it out, read by `ModelRepository` directly. */
import { expect } from 'chai';
import { ModelRepository } from '../src/repository/model-repository.js';
import { silentLogger } from '../src/index.js';
import type { ModelFolder, TempRepository } from '../../../test/support/repository.js';
import { GARBAGE_MODEL, writeRepository } from '../../../test/support/repository.js';

/** Loads a repository folder; `root` may differ from `repo.path` in how it is written. */
async function loadRepository(root: string): Promise<ModelRepository> {
  const repository = new ModelRepository(root, { logger: silentLogger, sessionOptions: {} });
  await repository.load();
  return repository;
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
});
