/**
 * collector-config/README.md's table of environment variables is what the
 * collector configs read: every `${env:VAR:-default}` of the base and the
 * overlays, with its default and the file it is in, and no other.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './support/cli.js';
import { collectorVariablesIn } from './support/collector-variables.js';
import { readDoc, tableRows } from './support/documented-table.js';

const CONFIGS = join(REPOSITORY_ROOT, 'collector-config');

/** `variable default file` for each variable a config reads, `file` as the table names it (`base`, `debug`). */
function readVariables(): string[] {
  const files = [
    ['base', 'base.yaml'],
    ...readdirSync(join(CONFIGS, 'overlays')).map((name) => [name.replace(/\.yaml$/, ''), `overlays/${name}`]),
  ];
  return files.flatMap(([file, path]) =>
    collectorVariablesIn(readFileSync(join(CONFIGS, path), 'utf8')).map(
      // One without a default reads `undefined`, which no row has: the table lists defaults.
      ({ name, fallback }) => `${name} ${fallback} ${file}`,
    ),
  );
}

/**
 * The same from the table. A cell may name two variables (`ELASTICSEARCH_USERNAME`,
 * `_PASSWORD`), and a default or file cell may explain itself in parentheses;
 * an `empty` default is the empty string.
 */
function documentedVariables(): string[] {
  const rows = tableRows(readDoc('collector-config/README.md'), '## Environment variables');
  return rows.flatMap(([variables, fallback, file]) => {
    const [first, ...more] = variables.split(', ');
    const prefix = first.slice(0, first.lastIndexOf('_'));
    const value = fallback.split(' (')[0];
    return [first, ...more.map((suffix) => `${prefix}${suffix}`)].map(
      (variable) => `${variable} ${value === 'empty' ? '' : value} ${file.split(' (')[0]}`,
    );
  });
}

describe("the collector's environment variables collector-config/README.md lists", () => {
  it('are those its configs read, each with its default and in its file', () => {
    const read = readVariables();
    expect(read).to.not.be.empty;
    expect(documentedVariables()).to.have.members([...new Set(read)]);
  });
});
