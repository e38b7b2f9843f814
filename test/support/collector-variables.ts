/**
 * The environment variables a collector config reads: its `${env:VAR}` and
 * `${env:VAR:-default}` references, as the collector's env provider
 * resolves them.
 */

/** One `${env:...}` reference of a config. */
export interface CollectorVariable {
  readonly name: string;
  /** What the config uses when the variable is unset; undefined when it gives none. */
  readonly fallback: string | undefined;
}

/** Every `${env:...}` reference in a config's text, in order, repeats included. */
export function collectorVariablesIn(config: string): CollectorVariable[] {
  return [...config.matchAll(/\$\{env:(\w+)(?::-([^}]*))?\}/g)].map(([, name, fallback]) => ({ name, fallback }));
}
