/** The runnable examples of the README run, and produce what they say. */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const examples = fileURLToPath(new URL('../examples/', import.meta.url));
/** tsx from this repository: the examples run in a scratch folder, where `--import tsx` would not resolve. */
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

/** Runs an example in a scratch folder (its files land there) with no OTLP endpoint set. */
async function runExample(name: string, cwd: string): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const { stdout } = await run(tsx, [join(examples, name)], {
    cwd,
    env,
    timeout: 60_000,
  });
  return stdout;
}

describe('examples', function () {
  this.timeout(90_000);
  let cwd: string;

  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'inferlens-example-'));
  });

  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('own providers: predicts, then writes payload records and monitor rows to ./monitoring', async () => {
    const stdout = await runExample('own-providers.ts', cwd);
    const [status, requestId] = stdout.split('\n')[0].split(' ');
    expect(status).to.equal('200');
    const payloads = await readFile(join(cwd, 'monitoring/inference_payloads/data/data.1.log'), 'utf8');
    const records = payloads
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { attributes: Record<string, unknown>; body: unknown });
    expect(records.map((record) => record.attributes['inference.record.type'])).to.deep.equal(['request', 'response']);
    expect(records.every((record) => record.attributes['inference.request.id'] === requestId)).to.equal(true);
    expect(records[1].body).to.deep.equal({ predictions: [1] });
    expect(await readdir(join(cwd, 'monitoring/iris_classifier'))).to.have.members(['data', 'schema']);
  });

  it('global providers: the NodeSDK console exporters print the span and both records', async () => {
    const stdout = await runExample('global-providers.ts', cwd);
    expect(stdout).to.include("name: 'infer iris'");
    expect(stdout).to.include("'inference.record.type': 'request'");
    expect(stdout).to.include("'inference.record.type': 'response'");
  });
});
