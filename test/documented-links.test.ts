/**
 * Every relative link of the repository's documents leads somewhere: to a
 * file or folder that exists and, with a `#fragment`, to a heading of that
 * document, as GitHub makes its anchors. A document renamed or a heading
 * reworded without its links fails here.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { REPOSITORY_ROOT } from './support/cli.js';

/** Folders that hold no documents of the repository's own. */
const NOT_DOCUMENTS = new Set(['node_modules', 'dist', '.git', '.cache', 'monitoring']);

function markdownFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return NOT_DOCUMENTS.has(entry.name) ? [] : markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** A document's text without its code blocks, whose brackets and `#` lines are no links or headings. */
function prose(path: string): string {
  return readFileSync(path, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
}

/** The anchors GitHub gives a document's headings: lower case, punctuation gone, spaces as `-`, repeats numbered. */
function anchors(path: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of prose(path).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const slug = heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    out.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return out;
}

describe("the repository's documents", () => {
  const documents = markdownFiles(REPOSITORY_ROOT);

  it('are found', () => {
    expect(documents.map((path) => relative(REPOSITORY_ROOT, path))).to.include.members([
      'README.md',
      'docs/telemetry.md',
      'collector-config/README.md',
    ]);
  });

  it('link only to files that exist, and to headings those files have', () => {
    const broken: string[] = [];
    for (const document of documents) {
      for (const [, link] of prose(document).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(link)) continue;
        const [path, fragment] = link.split('#');
        const target = path === '' ? document : join(dirname(document), decodeURI(path));
        const where = `${relative(REPOSITORY_ROOT, document)}: ${link}`;
        if (!existsSync(target)) broken.push(`${where} (no such file)`);
        else if (fragment !== undefined && statSync(target).isFile() && !anchors(target).has(fragment))
          broken.push(`${where} (no such heading)`);
      }
    }
    expect(broken).to.deep.equal([]);
  });
});
