/**
 * Every shipped collector overlay passes the built collector's own `validate` command, and so
 * does what docker-compose.yml runs the collector with, for every profile and for none. Both
 * lists are read, not written here: the overlays from collector-config/overlays, the configs
 * from the collector service's `--config` arguments and the files it mounts at those paths.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPOSITORY_ROOT } from './support/cli.js';
import { BASE_CONFIG, COLLECTOR_BINARY, COLLECTOR_CONFIG_DIR, collectorSkipReason } from './support/collector.js';
import { composeProfiles, interpolate, readCompose, repositoryPathOf } from './support/compose.js';

const run = promisify(execFile);
const OVERLAY_DIR = join(COLLECTOR_CONFIG_DIR, 'overlays');
const overlays = readdirSync(OVERLAY_DIR).filter((name) => name.endsWith('.yaml'));
const CONFIG_FLAG = '--config=';
const compose = readCompose();
const collectorService = compose.services.collector;

/** Runs `validate` on the configs merged in order, and fails on any error it reports. */
async function expectValid(configs: readonly string[]): Promise<void> {
  const { stderr } = await run(COLLECTOR_BINARY, ['validate', ...configs.flatMap((config) => ['--config', config])]);
  expect(stderr).to.not.match(/error/i);
}

/**
 * The repository files compose gives the collector as `--config`, in order, with
 * COMPOSE_PROFILES set to `profile` (unset when undefined); fails on a path no bind
 * mount provides or a mounted file that is not there.
 */
function composeCollectorConfigs(profile: string | undefined): string[] {
  const env: Record<string, string> = profile === undefined ? {} : { COMPOSE_PROFILES: profile };
  const inContainer = (collectorService.command ?? [])
    .filter((arg) => arg.startsWith(CONFIG_FLAG))
    .map((arg) => interpolate(arg.slice(CONFIG_FLAG.length), env));
  expect(inContainer, 'the collector command names its configs').to.not.be.empty;
  return inContainer.map((path) => {
    const source = repositoryPathOf(collectorService, path);
    expect(source, `${path} is mounted from the repository`).to.be.a('string');
    const file = join(REPOSITORY_ROOT, source!);
    expect(existsSync(file), `${source} (mounted at ${path}) exists`).to.equal(true);
    return file;
  });
}

describe('collector configs', function () {
  this.timeout(60_000);

  before(function () {
    const skip = collectorSkipReason();
    if (skip !== undefined) {
      console.log(`      skipped: ${skip}`);
      this.skip();
    }
  });

  for (const overlay of overlays) {
    it(`base + ${overlay} passes validate`, () => expectValid([BASE_CONFIG, join(OVERLAY_DIR, overlay)]));
  }

  for (const profile of [undefined, ...composeProfiles(compose)]) {
    const withProfile = profile === undefined ? 'with no profile' : `with the ${profile} profile`;
    it(`compose ${withProfile}: the collector's configs pass validate`, () =>
      expectValid(composeCollectorConfigs(profile)));
  }
});
