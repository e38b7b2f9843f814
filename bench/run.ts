/**
 * The benchmark suite: `npm run bench [-- flags]`. Scenarios run one after
 * another; each measures its variants side by side (a warm-up, then
 * alternating rounds), the load generator and receivers on one core and the
 * servers under test on the other. The tables go to stdout; a full run also
 * writes bench/RESULTS.md. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pinRunner } from './pinning.js';
import { formatScenario } from './report.js';
import { resultsDocument } from './results.js';
import type { Scenario, ScenarioReport } from './scenario.js';
import { ceilingScenario } from './scenarios/ceiling.js';
import { embeddingsScenario } from './scenarios/embeddings.js';
import { exportScenario } from './scenarios/export.js';
import { largePayloadScenario } from './scenarios/large-payload.js';
import { memoryScenario } from './scenarios/memory.js';
import { middlewareScenario } from './scenarios/middleware.js';
import { serverScenario } from './scenarios/server.js';
import { telemetryCostScenario } from './scenarios/telemetry-cost.js';
import type { BenchSettings } from './settings.js';
import { DEFAULT_SETTINGS, MIN_ROUNDS } from './settings.js';
import { progress } from './side-by-side.js';
import { REPOSITORY_ROOT } from '../test/support/cli.js';

/**
 * Every scenario, in the order a full run takes them. This list is the one
 * place a scenario is registered: `--only` and the README's list follow it.
 */
const SCENARIOS: readonly Scenario[] = [
  ceilingScenario,
  middlewareScenario,
  telemetryCostScenario,
  serverScenario,
  largePayloadScenario,
  exportScenario,
  memoryScenario,
  embeddingsScenario,
];

/** Scenarios that need the Python peers installed first. */
const NEEDS_PEERS: ReadonlySet<string> = new Set([serverScenario.id]);
const RESULTS_FILE = join(REPOSITORY_ROOT, 'bench', 'RESULTS.md');
const PEER_SETUP = join(REPOSITORY_ROOT, 'bench', 'peers', 'setup.sh');

const USAGE = `usage: npm run bench -- [flags]
  --only <ids>             comma-separated scenarios (${SCENARIOS.map((s) => s.id).join(', ')}); default all
  --duration <s>           seconds per variant per round (default ${DEFAULT_SETTINGS.durationSeconds})
  --warmup <s>             warm-up seconds per variant (default ${DEFAULT_SETTINGS.warmupSeconds})
  --rounds <n>             alternating rounds, at least ${MIN_ROUNDS} (default ${DEFAULT_SETTINGS.rounds})
  --connections <n>        concurrent connections (default ${DEFAULT_SETTINGS.connections})
  --memory-duration <s>    seconds of the memory run (default ${DEFAULT_SETTINGS.memoryDurationSeconds})
  --no-setup               do not run bench/peers/setup.sh (peers not installed are skipped)
  --results <file>         write the results document there (a full run writes bench/RESULTS.md)
  --help`;

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

function positive(value: string | undefined, flag: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!(parsed > 0) || (integer && !Number.isInteger(parsed))) {
    fail(`--${flag} must be a positive ${integer ? 'integer' : 'number'}, got '${value}'`);
  }
  return parsed;
}

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string' },
    'memory-duration': { type: 'string' },
    'no-setup': { type: 'boolean', default: false },
    results: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const settings: BenchSettings = {
  durationSeconds: positive(values.duration, 'duration', DEFAULT_SETTINGS.durationSeconds, false),
  warmupSeconds: positive(values.warmup, 'warmup', DEFAULT_SETTINGS.warmupSeconds, false),
  rounds: positive(values.rounds, 'rounds', DEFAULT_SETTINGS.rounds, true),
  connections: positive(values.connections, 'connections', DEFAULT_SETTINGS.connections, true),
  memoryDurationSeconds: positive(
    values['memory-duration'],
    'memory-duration',
    DEFAULT_SETTINGS.memoryDurationSeconds,
    false,
  ),
};
if (settings.rounds < MIN_ROUNDS) fail(`--rounds must be at least ${MIN_ROUNDS}, got ${settings.rounds}`);

const onlyIds = values.only?.split(',').map((id) => id.trim());
for (const id of onlyIds ?? []) {
  if (!SCENARIOS.some((scenario) => scenario.id === id)) fail(`unknown scenario '${id}'`);
}
const selected = SCENARIOS.filter((scenario) => onlyIds?.includes(scenario.id) ?? true);
const fullRun = onlyIds === undefined;

const pinning = pinRunner(availableParallelism());
if (!pinning.enabled) progress(`running unpinned: ${pinning.reason}`);

if (selected.some((scenario) => NEEDS_PEERS.has(scenario.id)) && !values['no-setup']) {
  progress('installing the Python peers if needed (bench/peers/setup.sh)');
  const setup = spawnSync('bash', [PEER_SETUP], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (setup.status !== 0) progress('no peer could be installed: they are reported as skipped');
}

const started = new Date();
const reports: ScenarioReport[] = [];
for (const scenario of selected) {
  progress(`scenario ${scenario.id}: ${scenario.description}`);
  try {
    reports.push(...(await scenario.run({ settings, pinning })));
  } catch (error) {
    // One broken scenario does not cost the others' figures; it is reported in its place.
    progress(`scenario ${scenario.id} failed: ${(error as Error).stack ?? String(error)}`);
    reports.push({
      title: `${scenario.id}: failed`,
      baseline: '',
      rows: [],
      extraColumns: [],
      checks: [],
      notes: [`The scenario failed: ${(error as Error).message.split('\n')[0]}`],
    });
  }
}

console.log(reports.map(formatScenario).join('\n\n'));
const resultsFile = values.results ?? (fullRun ? RESULTS_FILE : undefined);
if (resultsFile !== undefined) {
  writeFileSync(resultsFile, resultsDocument({ started, settings, pinning, reports, argv: process.argv.slice(2) }));
  progress(`wrote ${resultsFile}`);
}
