import { BATCH_SIZE, runEmbeddingsBatchBench } from '../embeddings-batch.js';
import type { Scenario, ScenarioContext, ScenarioReport } from '../scenario.js';
import { ratio } from '../scenario.js';

const BATCH_ROW = `one request of ${BATCH_SIZE} texts`;
const SINGLE_ROW = `${BATCH_SIZE} requests of one text`;

/** Issue target: a batch request of 32 texts is faster per text than 32 single requests. */
async function run(context: ScenarioContext): Promise<ScenarioReport[]> {
  const result = await runEmbeddingsBatchBench(context);
  const texts = (perSecond: number): string => Math.round(perSecond).toString();
  return [
    {
      title: 'Text embeddings: batch against single requests',
      baseline: SINGLE_ROW,
      rows: [
        { name: BATCH_ROW, extra: { 'texts/s': texts(result.batchTextsPerSecond) } },
        { name: SINGLE_ROW, extra: { 'texts/s': texts(result.singleTextsPerSecond) } },
      ],
      extraColumns: ['texts/s'],
      checks: [
        {
          target: `a batch of ${BATCH_SIZE} texts is faster per text than ${BATCH_SIZE} single requests`,
          figure: `${ratio(result.batchTextsPerSecond, result.singleTextsPerSecond)} the texts/s`,
          met: result.batchTextsPerSecond > result.singleTextsPerSecond,
        },
      ],
      notes: [
        `\`${result.model}\` over \`POST /openai/v1/embeddings\` of \`inferlens serve\`, telemetry off, on the server core; requests sent one after another (one connection) from the load core; medians of ${result.rounds} alternating rounds.`,
      ],
    },
  ];
}

export const embeddingsScenario: Scenario = {
  id: 'embeddings',
  description: 'text embeddings: one request of 32 texts against 32 single requests',
  run,
};
