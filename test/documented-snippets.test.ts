/**
 * The TypeScript examples of the documents compile against the packages as
 * they are: an option renamed, an export moved or a signature changed
 * without its example fails here. (The runnable examples in examples/ run in
 * examples.test.ts.)
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPOSITORY_ROOT } from './support/cli.js';
import { readDoc } from './support/documented-table.js';

const run = promisify(execFile);

const DOCUMENTS = ['README.md', 'packages/express/README.md', 'docs/server.md', 'docs/telemetry.md'];

/** Each `ts` code block of a document. */
function snippets(document: string): string[] {
  return [...readDoc(document).matchAll(/^```ts\n([\s\S]*?)^```/gm)].map(([, code]) => code);
}

/**
 * A snippet as a module of its own: one that continues an app the reader
 * already has (`app.post(...)` with no `const app`) gets that app declared.
 * What an example names without using (`(req, res) => ...`, the `data` it
 * hands the reader) is allowed.
 */
function asModule(code: string): string {
  const continued = /\bapp\./.test(code) && !/\bconst app\b/.test(code);
  const app = continued ? "import type { Express } from 'express';\ndeclare const app: Express;\n" : '';
  return `${app}${code}\nexport {};\n`;
}

describe('the TypeScript examples of the documents', function () {
  this.timeout(120_000);
  let folder: string;

  before(async () => {
    // Inside node_modules, so that the examples' imports resolve as an application's would.
    folder = await mkdtemp(join(REPOSITORY_ROOT, 'node_modules', '.documented-snippets-'));
  });

  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('compile', async () => {
    const files: string[] = [];
    for (const document of DOCUMENTS) {
      for (const [index, code] of snippets(document).entries()) {
        const file = `${document.replace(/[/.]/g, '_')}_${index}.ts`;
        await writeFile(join(folder, file), asModule(code));
        files.push(file);
      }
    }
    expect(files.length, 'examples found').to.be.at.least(DOCUMENTS.length);
    const tsconfig = {
      extends: join(REPOSITORY_ROOT, 'tsconfig.base.json'),
      compilerOptions: {
        composite: false,
        noEmit: true,
        noUnusedLocals: false,
        noUnusedParameters: false,
        types: ['node'],
      },
      files,
    };
    await writeFile(join(folder, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = join(REPOSITORY_ROOT, 'node_modules/.bin/tsc');
    await run(tsc, ['-p', folder]).catch((error: { stdout?: string; message: string }) => {
      throw new Error(`an example does not compile:\n${error.stdout ?? error.message}`);
    });
  });
});
