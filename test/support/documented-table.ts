import { readFileSync } from 'node:fs';

/** The text of a document, by its path from the repository root (`docs/telemetry.md`, `README.md`). */
export function readDoc(path: string): string {
  return readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
}

/**
 * The rows of the first markdown table under `heading` in `doc`, as cells
 * without their backticks; a pipe escaped inside a cell (`<on\|off>`) stays
 * in it, unescaped.
 */
export function tableRows(doc: string, heading: string): string[][] {
  const lines = doc.slice(doc.indexOf(heading)).split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
  // The header row and its rule go.
  return lines.slice(start + 2, end).map((line) =>
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim().replace(/`/g, '').replace(/\\\|/g, '|')),
  );
}
