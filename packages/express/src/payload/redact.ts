import type { Node, ParseError } from 'jsonc-parser';
import { parseTree } from 'jsonc-parser';

/** What a redacted field's value becomes. */
export const REDACTED = '[REDACTED]';
const REDACTED_JSON = JSON.stringify(REDACTED);
const BYTE_ORDER_MARK = '\uFEFF';

/** A path split at dots; `*` matches any key or index. */
type Path = readonly string[];

/** Strict JSON: what `JSON.parse` takes, no comments or trailing commas. */
const STRICT_JSON = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

export function parseRedactPaths(paths: readonly string[]): Path[] {
  return paths.map((path) => path.split('.').filter((part) => part !== ''));
}

/** Collects the value nodes at `path` below `node` (every one of a key written twice). */
function nodesAt(node: Node, path: Path, depth: number, found: Node[]): void {
  if (depth === path.length) {
    found.push(node);
    return;
  }
  const key = path[depth];
  if (node.type === 'object') {
    for (const property of node.children ?? []) {
      const [name, value] = property.children ?? [];
      if (value !== undefined && (key === '*' || name.value === key)) nodesAt(value, path, depth + 1, found);
    }
  } else if (node.type === 'array') {
    (node.children ?? []).forEach((item, index) => {
      if (key === '*' || key === String(index)) nodesAt(item, path, depth + 1, found);
    });
  }
}

/**
 * The value nodes at `paths` in a JSON payload; undefined for a payload
 * that is not JSON, or is nested deeper than the parser's recursion goes
 * (legal JSON, which `JSON.parse` reads: it is not recursive).
 */
function redactedNodes(payload: string, paths: readonly Path[]): Node[] | undefined {
  const errors: ParseError[] = [];
  let root: Node | undefined;
  try {
    root = parseTree(payload, errors, STRICT_JSON);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  if (root === undefined || errors.length > 0) return undefined;
  const found: Node[] = [];
  for (const path of paths) if (path.length > 0) nodesAt(root, path, 0, found);
  return found;
}

/**
 * Replaces the fields at `paths` in a JSON payload, and nothing else: the
 * rest stays the text that arrived, byte for byte (numbers past 2^53 or
 * 1e308, spacing, key order), where a parse and a stringify would rewrite
 * it. A payload that is not JSON, or is nested too deep to walk, cannot be
 * redacted field by field, so it is withheld whole: a redaction rule never
 * lets through what it was meant to hide.
 */
export function redactPayload(payload: string, paths: readonly Path[]): string {
  if (paths.length === 0 || payload === '') return payload;
  // A byte order mark, which a JSON parser may ignore (RFC 8259, section 8.1) and body-parser does, stays as sent.
  const start = payload.startsWith(BYTE_ORDER_MARK) ? BYTE_ORDER_MARK.length : 0;
  const found = redactedNodes(payload.slice(start), paths);
  if (found === undefined) return REDACTED;
  // Front to back; a value inside one already replaced (paths `a` and `a.b`) goes with it.
  found.sort((a, b) => a.offset - b.offset);
  let redacted = '';
  let copied = 0;
  for (const node of found) {
    const offset = start + node.offset;
    if (offset < copied) continue;
    redacted += payload.slice(copied, offset) + REDACTED_JSON;
    copied = offset + node.length;
  }
  return copied === 0 ? payload : redacted + payload.slice(copied);
}
