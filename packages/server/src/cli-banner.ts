import type { ModelRepository, ServedModel } from './repository/model-repository.js';
import type { InferenceServer } from './server.js';
import { exampleRequest } from './cli-example.js';

/** What the banner reads of a started server. */
export type BannerServer = Pick<InferenceServer, 'url' | 'repository'>;

/**
 * A model's state as calls without a version meet it: the version that
 * serves them (the highest ready one, as `ModelRepository.find` picks it),
 * then each other version that is not ready, so a failed upgrade shows
 * beside the version still serving.
 */
function modelState(repository: ModelRepository, model: ServedModel): string {
  const served = repository.find(model.name);
  const head =
    served.state === 'ready' ? `serving version ${served.version}` : `version ${served.version} ${served.state}`;
  const others = model.versions
    .filter((version) => version !== served && version.state !== 'ready')
    .map((version) => `version ${version.version} ${version.state}`);
  return [head, ...others].join('; ');
}

/**
 * What `inferlens serve` prints once every model has loaded: where each
 * protocol is served, where telemetry goes, each model's state and a
 * request to try.
 */
export function bannerText(server: BannerServer, telemetry: string): string {
  const lines = [
    `serving ${server.repository.root} on ${server.url}`,
    `  ${telemetry}`,
    `  KServe V1:           ${server.url}/v1/models`,
    `  Open Inference (V2): ${server.url}/v2  (health: ${server.url}/v2/health/ready)`,
    `  OpenAI embeddings:   ${server.url}/openai/v1/embeddings  (models: ${server.url}/openai/v1/models)`,
  ];
  for (const model of server.repository.models()) {
    lines.push(`  model ${model.name}: ${modelState(server.repository, model)}`);
  }
  const example = exampleRequest(server);
  if (example !== undefined) lines.push('', 'try:', `  ${example}`);
  return lines.join('\n');
}
