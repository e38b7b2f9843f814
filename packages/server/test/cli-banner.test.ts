/** The banner `inferlens serve` prints once its models have loaded: each model as calls without a version meet it. */
import { expect } from 'chai';
import { bannerText } from '../src/cli-banner.js';
import { ModelRepository } from '../src/repository/model-repository.js';
import { silentLogger } from '../src/index.js';
import { identityModel } from '../../../scripts/onnx/graph.js';
import type { TempRepository } from '../../../test/support/repository.js';
import { GARBAGE_MODEL, writeRepository } from '../../../test/support/repository.js';

const MODEL = identityModel('float32', ['batch', 2]);
const URL = 'http://127.0.0.1:8080';

describe('the serve banner', () => {
  let repo: TempRepository;
  let repository: ModelRepository;
  let banner: string[];

  before(async () => {
    repo = await writeRepository([
      { name: 'upgraded', versions: { '1': MODEL, '2': GARBAGE_MODEL } },
      { name: 'broken', versions: { '1': GARBAGE_MODEL } },
      // Models are listed by name, so this one comes after the model the example must pick.
      { name: 'with-two-ready', versions: { '1': MODEL, '3': MODEL } },
    ]);
    repository = new ModelRepository(repo.path, { logger: silentLogger, sessionOptions: {} });
    await repository.load();
    banner = bannerText({ url: URL, repository }, 'telemetry: off').split('\n');
  });

  after(async () => {
    await repository.close();
    await repo.remove();
  });

  it('names the version still serving when a higher one failed to load, and the failed one beside it', () => {
    expect(banner).to.include('  model upgraded: serving version 1; version 2 failed');
  });

  it('names the highest version of a model with none ready, and its state', () => {
    expect(banner).to.include('  model broken: version 1 failed');
  });

  it('names only the version serving when every version is ready', () => {
    expect(banner).to.include('  model with-two-ready: serving version 3');
  });

  it('offers a request to the first model that serves, whatever its highest version did', () => {
    const example = banner[banner.indexOf('try:') + 1];
    expect(example).to.include(`${URL}/v1/models/upgraded:predict`);
    expect(example).to.include(`-d '{"instances":[[0,0]]}'`);
  });
});
