/**
 * Embedding throughput: one request of 32 texts against 32 requests of one
 * text each, sent one after another, on the same server in the same run.
 * Like every server under test, `inferlens serve` (telemetry off: this
 * measures the serving) runs on the server core, and the requests come from
 * this process on the load core. Rounds alternate between the two so that
 * drift on a shared machine hits both alike; the figures are medians of
 * texts per second, and their ratio.
 *
 *   npm run build && npx tsx bench/embeddings-batch.ts [repository] [model]
 *
 * defaults to the demo model and the suite's default rounds;
 * `bash scripts/fetch-real-embedding-model.sh` then
 * `npx tsx bench/embeddings-batch.ts .cache/models all-minilm-l6-v2`
 * measures a real one. The suite's embeddings scenario calls
 * `runEmbeddingsBatchBench()` with its own settings.
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { pinRunner } from './pinning.js';
import type { ScenarioContext } from './scenario.js';
import { withTargets } from './scenario.js';
import { DEFAULT_SETTINGS } from './settings.js';
import { median, progress } from './side-by-side.js';
import type { ServedModel } from './targets/servers.js';
import { DEMO_MODELS, inferlensServe } from './targets/servers.js';
import { freePort } from '../test/support/ports.js';

/** Texts per batch request, and single requests per round. */
export const BATCH_SIZE = 32;
/** Rounds of each kind run first and not counted: the first requests pay for connections and JIT warm-up. */
const WARMUP_ROUNDS = 3;
/** The demo repository's embedding model. */
const DEMO_EMBEDDING: ServedModel = { repository: DEMO_MODELS, model: 'demo-embedding' };
const MILLIS_PER_SECOND = 1e3;
const WORDS = ['cat', 'dog', 'pizza', 'rain', 'guitar', 'train', 'football', 'computer', 'coffee', 'storm', 'city'];

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

/** `rounds` alternating rounds of one batch request against single requests, on a server already running. */
async function measureBatchAgainstSingles(
  url: string,
  model: string,
  rounds: number,
): Promise<EmbeddingsBatchBenchResult> {
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
}

/** Serves `served` with `inferlens serve` on the server core and measures it over the settings' rounds. */
export async function runEmbeddingsBatchBench(
  context: ScenarioContext,
  served: ServedModel = DEMO_EMBEDDING,
): Promise<EmbeddingsBatchBenchResult> {
  const port = await freePort();
  const spec = inferlensServe(`inferlens serve (${served.model})`, port, ['--telemetry', 'off'], served);
  return withTargets([spec], context, () =>
    measureBatchAgainstSingles(`http://127.0.0.1:${port}/openai/v1/embeddings`, served.model, context.settings.rounds),
  );
}

/** The figures as rows of a markdown table. */
function embeddingsBatchTable(results: readonly EmbeddingsBatchBenchResult[]): string {
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
  const pinning = pinRunner(availableParallelism());
  if (!pinning.enabled) progress(`running unpinned: ${pinning.reason}`);
  const result = await runEmbeddingsBatchBench(
    { settings: DEFAULT_SETTINGS, pinning },
    { repository: repository ?? DEMO_EMBEDDING.repository, model: model ?? DEMO_EMBEDDING.model },
  );
  console.log(embeddingsBatchTable([result]));
  console.log(`\nmedians of ${result.rounds} alternating rounds, OpenAI embeddings endpoint, telemetry off`);
}
