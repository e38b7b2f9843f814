/**
 * docker-compose.yml, checked without a Docker engine: against the Compose
 * Specification's JSON schema (dclint, which bundles it), and against the
 * repository: every pinned image, every mounted file, one collector overlay
 * per profile, image versions in step with what CI builds and tests.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, MIN_TELEMETRY_FLUSH_MS } from '../packages/server/src/options.js';
import { REPOSITORY_ROOT } from './support/cli.js';
import { collectorVariablesIn } from './support/collector-variables.js';
import type { ComposeService } from './support/compose.js';
import {
  COMPOSE_FILE,
  composeProfiles,
  dotEnv,
  interpolate,
  isBindMount,
  mountOf,
  readCompose,
  repositoryPathOf,
  tagOf,
} from './support/compose.js';

const run = promisify(execFile);
const DCLINT = join(REPOSITORY_ROOT, 'node_modules/.bin/dclint');
/** Where the collector service finds its overlays, by profile name. */
const PROFILE_OVERLAY_DIR = '/etc/otelcol-inferlens/profile';

const compose = readCompose();
/** The destinations, each a compose profile with an overlay of the same name in the collector. */
const profiles = composeProfiles(compose);

/** `${NAME}` references without a default (`${NAME:-x}` has one). */
function requiredVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((match) => match[1]);
}

/** Every file under a repository path (`./...`), the path itself when it is a file. */
function filesUnder(source: string): string[] {
  const path = join(REPOSITORY_ROOT, source);
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile());
}

/**
 * The repository files a service reads its configuration from with
 * COMPOSE_PROFILES set to `profile`: the files its `--config=` arguments name
 * (the collector, which mounts every overlay and reads one), else every file
 * it mounts from the repository.
 */
function configFilesOf(service: ComposeService, profile: string | undefined): string[] {
  const env: Record<string, string> = profile === undefined ? {} : { COMPOSE_PROFILES: profile };
  const configs = (service.command ?? [])
    .filter((arg) => arg.startsWith('--config='))
    .map((arg) => repositoryPathOf(service, interpolate(arg.slice('--config='.length), env)));
  const sources =
    configs.length > 0
      ? configs
      : (service.volumes ?? [])
          .map(mountOf)
          .filter(isBindMount)
          .map((mount) => mount.source);
  return sources.flatMap((source) => (source === undefined ? [] : filesUnder(source)));
}

/**
 * The values of a service's environment that its configs (their texts) use:
 * where the configs name the variables they read (`${env:VAR}`, the
 * collector's), those alone, as the collector is given every profile's
 * variables and each overlay reads its own; else all of them.
 */
function environmentInUse(service: ComposeService, configs: readonly string[]): string[] {
  const read = new Set(configs.flatMap(collectorVariablesIn).map(({ name }) => name));
  return Object.entries(service.environment ?? {})
    .filter(([name]) => read.size === 0 || read.has(name))
    .map(([, value]) => value);
}

/** The host names of the `http(s)://host` URLs in a text, but the machine's own. */
function hostsIn(text: string): string[] {
  return [...text.matchAll(/\bhttps?:\/\/([a-z][a-z0-9-]*)\b/g)]
    .map(([, host]) => host)
    .filter((host) => host !== 'localhost');
}

describe('docker-compose.yml', () => {
  it('passes dclint: the Compose Specification schema and the lint rules, no warnings', async () => {
    const { stdout } = await run(DCLINT, ['--max-warnings', '0', COMPOSE_FILE], { cwd: REPOSITORY_ROOT }).catch(
      (error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`dclint failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
      },
    );
    expect(stdout).to.not.match(/error/i);
  });

  it('every image comes from .env, pinned to a version', () => {
    const env = dotEnv();
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build !== undefined) continue; // its image is built here, not pulled
      const image = service.image ?? '';
      const variable = /^\$\{([A-Z0-9_]+)\}$/.exec(image)?.[1];
      expect(variable, `${name} names its image through a variable`).to.be.a('string');
      const pinned = env.get(variable!);
      expect(pinned, `${variable} in .env`).to.be.a('string');
      expect(tagOf(pinned!), `${variable}=${pinned}`).to.match(/^v?\d+\.\d+\.\d+/);
    }
  });

  it('every variable used without a default is set in .env', () => {
    const env = dotEnv();
    for (const variable of requiredVariables(readFileSync(COMPOSE_FILE, 'utf8'))) {
      expect(env.has(variable), variable).to.equal(true);
    }
  });

  it('every mounted file or folder exists in the repository, and every named volume is declared', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const mount = mountOf(volume);
        if (!isBindMount(mount)) expect(compose.volumes, `${name}: ${volume}`).to.have.property(mount.source);
        else expect(existsSync(join(REPOSITORY_ROOT, mount.source)), `${name}: ${mount.source}`).to.equal(true);
      }
    }
  });

  it('the collector has a shipped overlay for every profile and for no profile (debug), and picks it by COMPOSE_PROFILES', () => {
    const collector = compose.services.collector;
    const overlays = new Map(
      (collector.volumes ?? [])
        .map(mountOf)
        .filter(({ target }) => target.startsWith(`${PROFILE_OVERLAY_DIR}/`))
        .map(({ source, target }) => [target.slice(PROFILE_OVERLAY_DIR.length + 1, -'.yaml'.length), source] as const),
    );
    expect(profiles).to.not.be.empty;
    expect([...overlays.keys()]).to.have.members(['debug', ...profiles]);
    for (const source of overlays.values()) expect(source).to.match(/^\.\/collector-config\/overlays\/[a-z]+\.yaml$/);
    expect(collector.command).to.include(`--config=${PROFILE_OVERLAY_DIR}/\${COMPOSE_PROFILES:-debug}.yaml`);
  });

  it('the collector prints every record with no profile, as README.md says: the debug overlay at detailed verbosity', () => {
    // Given by compose as `${VAR:-default}`, else left to the overlay's own `${env:VAR:-default}`.
    const given = compose.services.collector.environment?.OTELCOL_DEBUG_VERBOSITY;
    const overlay = readFileSync(join(REPOSITORY_ROOT, 'collector-config/overlays/debug.yaml'), 'utf8');
    const verbosity = given ?? /verbosity: (\S+)/.exec(overlay)?.[1];
    expect(verbosity).to.match(/^\$\{(env:)?OTELCOL_DEBUG_VERBOSITY:-detailed\}$/);
  });

  it("the collector's environment passes on every variable its configs read in each profile, with the config's default", () => {
    const collector = compose.services.collector;
    for (const profile of [undefined, ...profiles]) {
      const read = configFilesOf(collector, profile).flatMap((file) =>
        collectorVariablesIn(readFileSync(file, 'utf8')),
      );
      expect(read, profile).to.not.be.empty;
      for (const { name, fallback } of read) {
        const where = `${name}, ${profile ?? 'no profile'}`;
        // From the shell or .env, else the config's own default; or fixed to that default where compose relies on
        // the value (OTELCOL_STORAGE_DIR, the queue volume's mount point).
        const passed = fallback === undefined ? [`\${${name}}`] : [`\${${name}:-${fallback}}`, fallback];
        expect(passed, where).to.include(collector.environment?.[name]);
      }
    }
  });

  it('every service a config or environment reaches by URL runs in the same profile, under that name', () => {
    for (const profile of [undefined, ...profiles]) {
      const running = Object.entries(compose.services).filter(
        ([, service]) =>
          service.profiles === undefined || (profile !== undefined && service.profiles.includes(profile)),
      );
      const names = running.map(([name]) => name);
      for (const [name, service] of running) {
        const configs = configFilesOf(service, profile).map((file) => readFileSync(file, 'utf8'));
        const texts = [...environmentInUse(service, configs), ...configs];
        for (const host of texts.flatMap(hostsIn)) {
          expect(names, `${name}, ${profile ?? 'no profile'}: http://${host}`).to.include(host);
        }
      }
    }
  });

  it('depends_on names services that start with it, without a cycle (compose refuses both)', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, path: readonly string[]): void => {
      if (done.has(name)) return;
      expect(visiting.has(name), `cycle: ${[...path, name].join(' -> ')}`).to.equal(false);
      visiting.add(name);
      const service = compose.services[name];
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        const target = compose.services[dependency];
        expect(target, `${name} depends on ${dependency}`).to.not.equal(undefined);
        // A service in every profile (none listed) cannot wait for one that only some profiles start.
        if (service.profiles === undefined) expect(target.profiles, `${name} -> ${dependency}`).to.equal(undefined);
        visit(dependency, [...path, name]);
      }
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(compose.services)) visit(name, []);
  });

  it('the collector image is the contrib release the builder manifest pins, and Prometheus and Loki the ones CI builds', () => {
    const env = dotEnv();
    const manifest = readFileSync(join(REPOSITORY_ROOT, 'collector-config/builder-config.yaml'), 'utf8');
    const contrib = /opentelemetry-collector-contrib\/\S+ v(\d+\.\d+\.\d+)/.exec(manifest)?.[1];
    expect(tagOf(env.get('OTELCOL_IMAGE')!)).to.equal(contrib);

    const script = readFileSync(join(REPOSITORY_ROOT, 'collector-config/build-prometheus.sh'), 'utf8');
    const [, minor, patch] = /PROMETHEUS_MODULE_VERSION:-v0\.3(\d+)\.(\d+)/.exec(script) ?? [];
    expect(tagOf(env.get('PROMETHEUS_IMAGE')!)).to.equal(`v3.${Number(minor)}.${patch}`);

    const lokiScript = readFileSync(join(REPOSITORY_ROOT, 'collector-config/build-loki.sh'), 'utf8');
    const lokiVersion = /LOKI_MODULE_VERSION:-v(\d+\.\d+\.\d+)/.exec(lokiScript)?.[1];
    expect(lokiVersion).to.be.a('string');
    expect(tagOf(env.get('LOKI_IMAGE')!)).to.equal(lokiVersion);
  });

  it('gives inferlens longer to stop than its shutdown may take, so that no SIGKILL cuts the telemetry flush', () => {
    // Compose's own default, 10 s, is shorter than the default shutdown timeout: the flush, which comes last, would
    // be killed whenever the requests or a slow collector used the time.
    const inferlens = compose.services['inferlens'];
    const timeout = Number(inferlens.environment?.['INFERLENS_SHUTDOWN_TIMEOUT_MS'] ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
    const grace = /^(\d+)s$/.exec(inferlens.stop_grace_period ?? '10s');
    expect(grace, inferlens.stop_grace_period).to.not.equal(null);
    expect(Number(grace![1]) * 1000).to.be.above(timeout + MIN_TELEMETRY_FLUSH_MS);
  });

  it("the Dockerfile's default Node image is the one .env pins, of a Node.js release CI runs the tests on", () => {
    const dockerfile = readFileSync(join(REPOSITORY_ROOT, 'Dockerfile'), 'utf8');
    const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(image).to.equal(dotEnv().get('NODE_IMAGE'));
    const ciReleases = /^for version in ([\d. ]+); do$/m.exec(
      readFileSync(join(REPOSITORY_ROOT, '.ci/run'), 'utf8'),
    )?.[1];
    expect(ciReleases?.split(' ')).to.include(/^node:(\d+\.\d+\.\d+)-/.exec(image ?? '')?.[1]);
  });
});
