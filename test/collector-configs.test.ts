/**
 * What docker-compose.yml runs the collector with, for every profile and for none, passes the
 * built collector's own `validate` command. Each profile's configs are the base and one shipped
 * overlay, so validating the profiles validates every overlay on the base; a check that needs no
 * collector makes sure no overlay in collector-config/overlays is left out of them. Both lists
 * are read, not written here: the overlays from that folder, the configs from the collector
 * service's `--config` arguments and the files it mounts at those paths.
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
  const profiles = [undefined, ...composeProfiles(compose)];

  it('every overlay in collector-config/overlays is validated on the base, as some compose profile runs it', () => {
    const validated = profiles.map(composeCollectorConfigs);
    for (const overlay of overlays) {
      const alone = [BASE_CONFIG, join(OVERLAY_DIR, overlay)];
      expect(validated, `base + ${overlay} is what some profile runs`).to.deep.include(alone);
    }
  });

  describe('by the built collector', function () {
    this.timeout(60_000);

    before(function () {
      const skip = collectorSkipReason();
      if (skip !== undefined) {
        console.log(`      skipped: ${skip}`);
        this.skip();
      }
    });

    for (const profile of profiles) {
      const withProfile = profile === undefined ? 'with no profile' : `with the ${profile} profile`;
      it(`compose ${withProfile}: the collector's configs pass validate`, () =>
        expectValid(composeCollectorConfigs(profile)));
    }
  });
});
