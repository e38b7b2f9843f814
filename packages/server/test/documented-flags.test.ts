/**
 * The flag tables of docs/configuration.md and README.md are what `inferlens
 * serve --help` says: every flag, written as the help writes it, with its
 * environment variable and its default. A flag added, renamed or given
 * another default in code but not in the documents fails here.
 */
import { expect } from 'chai';
import { runCli } from '../../../test/support/cli.js';
import { readDoc, tableRows } from '../../../test/support/documented-table.js';

/** One option of the help text: its description, and the default and variable commander appends to it. */
interface HelpEntry {
  readonly description: string;
  readonly fallback?: string;
  readonly variable?: string;
}

/**
 * The options `serve --help` lists, by flag (`--port <port>`). An option
 * starts a line with `  -`, and its description wraps onto indented lines.
 */
function helpEntries(help: string): Map<string, HelpEntry> {
  const entries = new Map<string, HelpEntry>();
  const lines = help.slice(help.indexOf('Options:')).split('\n').slice(1);
  lines.forEach((line, index) => {
    if (!/^ {2}-/.test(line)) return;
    const [flag, ...first] = line.trim().split(/\s{2,}/);
    const rest = lines.slice(index + 1).findIndex((next) => !/^ {3,}\S/.test(next));
    const wrapped = lines.slice(index + 1, rest === -1 ? undefined : index + 1 + rest);
    const text = [...first, ...wrapped].join(' ').replace(/\s+/g, ' ').trim();
    // commander appends `(choices: ..., default: ..., env: ...)`.
    const trailer = /\s*\(((?:choices|default|env): [^()]*)\)$/.exec(text);
    const settings = trailer?.[1] ?? '';
    entries.set(flag, {
      description: trailer === null ? text : text.slice(0, trailer.index),
      fallback: /default: ("[^"]*"|[^,]+)/.exec(settings)?.[1].replace(/^"(.*)"$/, '$1'),
      variable: /env: (\w+)/.exec(settings)?.[1],
    });
  });
  entries.delete('-h, --help');
  return entries;
}

/**
 * Checks one row of a flag table against the help: the variable is the
 * help's, or, for a flag without one, a note on the `OTEL_*` variables the
 * middleware reads; the default cell starts with the help's default, or,
 * for a flag without one, says there is none or is the one its description
 * falls back to (`else gzip`).
 */
function expectRowMatchesHelp([flag, variable, fallback]: string[], entry: HelpEntry | undefined): void {
  expect(entry, `${flag} is not in serve --help`).to.not.equal(undefined);
  if (entry === undefined) return;
  if (entry.variable === undefined) expect(variable, flag).to.match(/^\(the middleware reads OTEL_/);
  else expect(variable, flag).to.equal(entry.variable);
  if (entry.fallback === undefined) {
    const none = ['(required)', 'none'].includes(fallback.split(' ')[0]);
    expect(none || entry.description.endsWith(`else ${fallback}`), `${flag}: ${fallback}`).to.equal(true);
  } else {
    expect(fallback.split(' ')[0], flag).to.equal(entry.fallback);
  }
}

describe('the flags docs/configuration.md and README.md list', function () {
  this.timeout(60_000);
  let help: Map<string, HelpEntry>;

  before(async () => {
    const { code, stdout } = await runCli(['serve', '--help']);
    expect(code).to.equal(0);
    help = helpEntries(stdout);
  });

  it('are every flag of serve --help, with its variable and default, in docs/configuration.md', () => {
    const rows = tableRows(readDoc('docs/configuration.md'), '## `inferlens serve`');
    expect(rows.map(([flag]) => flag)).to.have.members([...help.keys()]);
    for (const row of rows) expectRowMatchesHelp(row, help.get(row[0]));
  });

  it("are serve --help's flags, with their variables and defaults, in README.md", () => {
    const rows = tableRows(readDoc('README.md'), '## Serving your own models');
    expect(rows).to.not.be.empty;
    for (const row of rows) expectRowMatchesHelp(row, help.get(row[0]));
  });
});
