/**
 * docker-compose.yml as the tests read it: its services, its profiles, and
 * which repository file a path inside a container comes from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPOSITORY_ROOT } from './cli.js';

export const COMPOSE_FILE: string = join(REPOSITORY_ROOT, 'docker-compose.yml');

/** `.env` as compose reads it: KEY=value lines, # comments. */
export function dotEnv(): Map<string, string> {
  const lines = readFileSync(join(REPOSITORY_ROOT, '.env'), 'utf8').split('\n');
  const entries = lines
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return new Map(entries);
}

/** An image reference's tag: `9.1.0` of `elasticsearch:9.1.0`. */
export function tagOf(image: string): string {
  return image.slice(image.lastIndexOf(':') + 1);
}

export interface ComposeService {
  readonly image?: string;
  /** Present when compose builds the image itself. */
  readonly build?: unknown;
  readonly profiles?: readonly string[];
  readonly volumes?: readonly string[];
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly depends_on?: Readonly<Record<string, unknown>>;
  /** How long `docker compose stop` waits after SIGTERM before SIGKILL, e.g. `40s`; compose's default is 10 s. */
  readonly stop_grace_period?: string;
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes: Readonly<Record<string, unknown>>;
}

/** One `source:target[:mode]` entry of a service's `volumes`. */
export interface Mount {
  /** `./path` for a bind mount, else the named volume. */
  readonly source: string;
  readonly target: string;
}

export function readCompose(): ComposeFile {
  return parse(readFileSync(COMPOSE_FILE, 'utf8')) as ComposeFile;
}

/** Every profile some service belongs to. */
export function composeProfiles(compose: ComposeFile): string[] {
  return [...new Set(Object.values(compose.services).flatMap((service) => service.profiles ?? []))];
}

/** `${NAME:-default}` as compose interpolates it: the value in `env`, else the default. */
export function interpolate(text: string, env: Readonly<Record<string, string>> = {}): string {
  return text.replace(/\$\{([A-Z0-9_]+):-([^}]*)\}/g, (_, name: string, fallback: string) => env[name] ?? fallback);
}

/** A volume entry's source and target, with its variables at their defaults. */
export function mountOf(volume: string): Mount {
  const [source, target] = interpolate(volume).split(':');
  return { source, target };
}

export function isBindMount(mount: Mount): boolean {
  return mount.source.startsWith('./');
}

/**
 * The repository path (`./...`) a service sees at `containerPath`, through the
 * bind mount of that file or of a folder holding it; undefined when none does.
 */
export function repositoryPathOf(service: ComposeService, containerPath: string): string | undefined {
  const mount = (service.volumes ?? [])
    .map(mountOf)
    .filter(isBindMount)
    .find(({ target }) => containerPath === target || containerPath.startsWith(`${target}/`));
  return mount && mount.source + containerPath.slice(mount.target.length);
}
