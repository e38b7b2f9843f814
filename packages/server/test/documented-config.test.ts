/**
 * The `config.json` tables of docs/server.md are what the server reads:
 * every field it accepts and no other, the values it takes where the table
 * lists them, and the defaults of a model without a config.
 */
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDoc, tableRows } from '../../../test/support/documented-table.js';
import { parseEmbeddingConfig } from '../src/repository/embedding-config.js';
import { MODEL_CONFIG_FILE, readModelConfig } from '../src/repository/model-config.js';

const DOC = readDoc('docs/server.md');

/** `[field, type, default]` of each row of the first table under `heading`. */
function fields(heading: string): string[][] {
  return tableRows(DOC, heading).map(([field, type, fallback]) => [field, type, fallback]);
}

/** The values a type cell lists (`"mean", "cls", "none"`), or none for a type such as `string[]`. */
function listedValues(type: string): string[] {
  return [...type.matchAll(/"([^"]+)"/g)].map(([, value]) => value);
}

/** A default cell's value when it is one (`"generic"`, `[]`, `0 (no limit)`, `true`); undefined for prose. */
function documentedValue(fallback: string): unknown {
  try {
    return JSON.parse(fallback.split(' (')[0]) as unknown;
  } catch {
    return undefined;
  }
}

/** Checks each row's default, where its cell is a value, against what the server reads when the field is left out. */
function expectDocumentedDefaults(rows: string[][], defaults: object): void {
  for (const [field, , fallback] of rows) {
    const value = documentedValue(fallback);
    if (value !== undefined) expect((defaults as Record<string, unknown>)[field], field).to.deep.equal(value);
  }
}

describe('the config.json docs/server.md describes', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'inferlens-config-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  /** The message loading `config` fails with. */
  async function refusal(config: unknown): Promise<string> {
    const path = join(folder, MODEL_CONFIG_FILE);
    await writeFile(path, JSON.stringify(config));
    try {
      await readModelConfig(path);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`${JSON.stringify(config)} loaded`);
  }

  /** The names an unknown-field or unknown-value message lists after `label`. */
  function listed(message: string, label: string): string[] {
    const match = new RegExp(`${label} ([^;]*?)(?:, got .*)?$`).exec(message);
    if (match === null) throw new Error(`no list after "${label}" in: ${message}`);
    return match[1].split(', ');
  }

  it('has the fields the server accepts, each with its default', async () => {
    const rows = fields('### `config.json`');
    expect(rows.map(([field]) => field)).to.deep.equal(listed(await refusal({ nosuch: 1 }), 'the fields are'));
    expectDocumentedDefaults(rows, await readModelConfig(join(folder, 'none.json')));
  });

  it('lists the tasks the server accepts', async () => {
    const [, type] = fields('### `config.json`').find(([field]) => field === 'task')!;
    expect(listedValues(type)).to.deep.equal(listed(await refusal({ task: 'nosuch' }), '"task" must be one of'));
  });

  it('has the embedding fields the server accepts, each with its default, and the poolings it knows', async () => {
    const rows = fields('| `embedding` field');
    const embedding = { task: 'text_embedding' };
    expect(rows.map(([field]) => field)).to.deep.equal(
      listed(await refusal({ ...embedding, embedding: { nosuch: 1 } }), 'the fields are').map((name) =>
        name.replace(/^embedding\./, ''),
      ),
    );
    expectDocumentedDefaults(rows, parseEmbeddingConfig(undefined));
    const [, pooling] = rows.find(([field]) => field === 'pooling')!;
    expect(listedValues(pooling)).to.deep.equal(
      listed(await refusal({ ...embedding, embedding: { pooling: 'nosuch' } }), '"embedding.pooling" must be one of'),
    );
  });
});
