/**
 * The curl examples of README.md and docs/server.md, sent to the server on
 * the demo models, answer 200 with what the comment under them shows. A
 * comment that abbreviates (`[0.26,...]`) is checked up to its first `...`
 * (numbers to the digits written) and from its last one.
 */
import { expect } from 'chai';
import type { InferenceServer } from '../packages/server/src/server.js';
import { readDoc } from './support/documented-table.js';
import { DEMO_REPOSITORY, serveRepository } from './support/server.js';

const DOCUMENTS = ['README.md', 'docs/server.md'];
/** The base URL the examples are written against (`npm start`'s). */
const DOCUMENTED_BASE = 'http://127.0.0.1:8080';
const ABBREVIATION = '...';
const CURL_FORM_TYPE = 'application/x-www-form-urlencoded';

interface Example {
  readonly where: string;
  readonly words: string[];
  /** The answer the comment under the command shows, if any. */
  readonly shown: string | undefined;
}

/** The words of a command line, as the shell splits them: single quotes keep their content whole. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map(([, quoted, bare]) => quoted ?? bare);
}

/** Each curl command of the `sh` blocks of a document, continuation lines joined, with the comment after it. */
function examples(document: string): Example[] {
  const blocks = [...readDoc(document).matchAll(/^```sh\n([\s\S]*?)^```/gm)].map(([, code]) => code);
  return blocks.flatMap((block) => {
    const lines = block.replace(/\\\n\s*/g, '').split('\n');
    return lines.flatMap((line, index) => {
      if (!line.startsWith('curl ')) return [];
      const after = lines.slice(index + 1);
      const end = after.findIndex((next) => !next.startsWith('#'));
      const comment = after.slice(0, end === -1 ? undefined : end).map((next) => next.replace(/^#\s*/, ''));
      return [{ where: `${document}: ${line}`, words: shellWords(line), shown: comment.join('') || undefined }];
    });
  });
}

/** The request a curl command sends: `-X`, `-H` and `-d` (which makes it a POST, of curl's form type unless `-H` names one), to its URL. */
function request(words: readonly string[], base: string): { url: string; init: RequestInit } {
  const headers: Record<string, string> = {};
  let method: string | undefined;
  let body: string | undefined;
  let url = '';
  for (let i = 1; i < words.length; i++) {
    const word = words[i];
    if (word === '-X') method = words[++i];
    else if (word === '-H') {
      const [name, ...value] = words[++i].split(':');
      headers[name] = value.join(':').trim();
    } else if (word === '-d') body = words[++i];
    else if (word.startsWith(DOCUMENTED_BASE)) url = `${base}${word.slice(DOCUMENTED_BASE.length)}`;
    else if (word !== '-s') throw new Error(`an option this test does not read: ${word}`);
  }
  // curl's own Content-Type for -d, where fetch would send text/plain.
  const typed = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  if (body !== undefined && !typed) headers['Content-Type'] = CURL_FORM_TYPE;
  return { url, init: { method: method ?? (body === undefined ? 'GET' : 'POST'), headers, body } };
}

/** Checks an answer against a comment that abbreviates it. */
function expectAbbreviated(answer: string, shown: string, where: string): void {
  const first = shown.slice(0, shown.indexOf(ABBREVIATION));
  const last = shown.slice(shown.lastIndexOf(ABBREVIATION) + ABBREVIATION.length);
  // The numbers the first part ends with are rounded: compare them to the digits written.
  const numbers = /(?:-?\d+(?:\.\d+)?,?)*$/.exec(first)![0];
  const prefix = first.slice(0, first.length - numbers.length);
  expect(answer.startsWith(prefix), `${where}\n${answer.slice(0, 200)}`).to.equal(true);
  const rest = answer.slice(prefix.length).split(',');
  numbers
    .split(',')
    .filter((number) => number !== '')
    .forEach((number, index) => {
      const decimals = number.split('.')[1]?.length ?? 0;
      expect(Number(rest[index]).toFixed(decimals), where).to.equal(Number(number).toFixed(decimals));
    });
  expect(answer.endsWith(last), `${where}\n${answer.slice(-200)}`).to.equal(true);
}

describe('the curl examples of the documents', function () {
  this.timeout(60_000);
  let server: InferenceServer;

  before(async () => {
    server = await serveRepository(DEMO_REPOSITORY);
  });

  after(async () => {
    await server?.close();
  });

  it('answer 200, with what their comments show', async () => {
    const found = DOCUMENTS.flatMap(examples);
    expect(found.length, 'examples found').to.be.at.least(DOCUMENTS.length);
    for (const { where, words, shown } of found) {
      const { url, init } = request(words, server.url);
      const response = await fetch(url, init);
      const answer = await response.text();
      expect(response.status, `${where}\n${answer}`).to.equal(200);
      if (shown === undefined) continue;
      if (shown.includes(ABBREVIATION)) expectAbbreviated(answer, shown, where);
      else expect(JSON.parse(answer), where).to.deep.equal(JSON.parse(shown));
    }
  });
});
