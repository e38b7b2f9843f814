/**
 * Embedding throughput: one request of 32 texts against 32 requests of one
 * text each, sent one after another, on the same server in the same run.
 * Rounds alternate between the two so that drift on a shared machine hits
 * both alike; the figures are medians of texts per second, and their ratio.
 *
 *   npx tsx bench/embeddings-batch.ts [repository] [model]
 *
 * defaults to the demo model; `bash scripts/fetch-real-embedding-model.sh`
 * then `npx tsx bench/embeddings-batch.ts .cache/models all-minilm-l6-v2`
 * measures a real one. `runEmbeddingsBatchBench()` returns the same figures
 * for the benchmark suite.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startServer } from '../packages/server/src/index.js';
import { median } from './side-by-side.js';

/** Texts per batch request, and single requests per round. */
export const BATCH_SIZE = 32;
const DEFAULT_ROUNDS = 15;
/** Rounds of each kind run first and not counted: the first requests pay for connections and JIT warm-up. */
const WARMUP_ROUNDS = 3;
const DEFAULT_REPOSITORY = fileURLToPath(new URL('../models/', import.meta.url));
const DEFAULT_MODEL = 'demo-embedding';
const MILLIS_PER_SECOND = 1e3;
const WORDS = ['cat', 'dog', 'pizza', 'rain', 'guitar', 'train', 'football', 'computer', 'coffee', 'storm', 'city'];

export interface EmbeddingsBatchBenchOptions {
  /** @default the demo repository, `models/` */
  repository?: string;
  /** @default 'demo-embedding' */
  model?: string;
  /** Counted rounds of each kind. @default 15 */
  rounds?: number;
}

export interface EmbeddingsBatchBenchResult {
  readonly model: string;
  readonly textsPerRequest: number;
  readonly rounds: number;
  /** Median texts per second of one request holding all the texts. */
  readonly batchTextsPerSecond: number;
  /** Median texts per second of one request per text, sent one after another. */
  readonly singleTextsPerSecond: number;
  /** batch / single. */
  readonly ratio: number;
}

/** Distinct short sentences, so no two inputs are the same. */
function sentences(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const words = [WORDS[i % WORDS.length], WORDS[(i * 3 + 1) % WORDS.length], WORDS[(i * 7 + 2) % WORDS.length]];
    return `the ${words.join(' and the ')} number ${i}`;
  });
}

async function embed(url: string, model: string, input: string | string[]): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, input }),
  });
  if (response.status !== 200) throw new Error(`embeddings answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

/** Texts per second of one timed piece of work. */
async function textsPerSecond(texts: number, work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return (texts * MILLIS_PER_SECOND) / (performance.now() - start);
}

/** Measures batch against single requests on a server of its own (telemetry off: this measures the serving). */
export async function runEmbeddingsBatchBench(
  options: EmbeddingsBatchBenchOptions = {},
): Promise<EmbeddingsBatchBenchResult> {
  const model = options.model ?? DEFAULT_MODEL;
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  const server = await startServer({
    modelRepository: options.repository ?? DEFAULT_REPOSITORY,
    port: 0,
    host: '127.0.0.1',
    telemetry: false,
  });
  try {
    await server.loaded;
    const url = `${server.url}/openai/v1/embeddings`;
    const texts = sentences(BATCH_SIZE);
    const batch = (): Promise<number> => textsPerSecond(texts.length, () => embed(url, model, texts));
    const singles = (): Promise<number> =>
      textsPerSecond(texts.length, async () => {
        for (const text of texts) await embed(url, model, text);
      });
    const batchRates: number[] = [];
    const singleRates: number[] = [];
    for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
      const counted = round >= WARMUP_ROUNDS;
      // Alternating which goes first keeps either from always running on a warmer machine.
      const [first, second] = round % 2 === 0 ? [batch, singles] : [singles, batch];
      const a = await first();
      const b = await second();
      if (!counted) continue;
      batchRates.push(first === batch ? a : b);
      singleRates.push(first === batch ? b : a);
    }
    const batchTextsPerSecond = median(batchRates);
    const singleTextsPerSecond = median(singleRates);
    return {
      model,
      textsPerRequest: BATCH_SIZE,
      rounds,
      batchTextsPerSecond,
      singleTextsPerSecond,
      ratio: batchTextsPerSecond / singleTextsPerSecond,
    };
  } finally {
    await server.close();
  }
}

/** The figures as rows of a markdown table. */
export function embeddingsBatchTable(results: readonly EmbeddingsBatchBenchResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.model} | ${r.textsPerRequest} | ${Math.round(r.batchTextsPerSecond)} | ${Math.round(r.singleTextsPerSecond)} | ${r.ratio.toFixed(1)}× |`,
  );
  return [
    '| model | texts | one batch request (texts/s) | single requests (texts/s) | batch / single |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [repository, model] = process.argv.slice(2);
  const result = await runEmbeddingsBatchBench({ repository, model });
  console.log(embeddingsBatchTable([result]));
  console.log(`\nmedians of ${result.rounds} alternating rounds, OpenAI embeddings endpoint, telemetry off`);
}
