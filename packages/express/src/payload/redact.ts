/** What a redacted field's value becomes. */
export const REDACTED = '[REDACTED]';

/** A path split at dots; `*` matches any key or index. */
type Path = readonly string[];

export function parseRedactPaths(paths: readonly string[]): Path[] {
  return paths.map((path) => path.split('.').filter((part) => part !== ''));
}

function redactAt(value: unknown, path: Path, depth: number): void {
  if (typeof value !== 'object' || value === null) return;
  const key = path[depth];
  const container = value as Record<string, unknown>;
  const keys = key === '*' ? Object.keys(container) : Object.hasOwn(container, key) ? [key] : [];
  for (const name of keys) {
    if (depth === path.length - 1) container[name] = REDACTED;
    else redactAt(container[name], path, depth + 1);
  }
}

/**
 * Replaces the fields at `paths` in a JSON payload. A payload that is not
 * JSON cannot be redacted field by field, so it is withheld whole: a
 * redaction rule never lets through what it was meant to hide.
 */
export function redactPayload(payload: string, paths: readonly Path[]): string {
  if (paths.length === 0 || payload === '') return payload;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return REDACTED;
  }
  for (const path of paths) if (path.length > 0) redactAt(parsed, path, 0);
  return JSON.stringify(parsed);
}
