import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Pinning } from './pinning.js';
import { LOAD_CORE, SERVER_CORE } from './pinning.js';
import { formatScenario } from './report.js';
import type { ScenarioReport } from './scenario.js';
import type { BenchSettings } from './settings.js';
import { REPOSITORY_ROOT } from '../test/support/cli.js';
import { NODE_SERVER_FLAGS, PEER_CACHE } from './targets/servers.js';

const BYTES_PER_GIB = 1024 ** 3;

/** The npm packages whose versions the figures depend on. */
const NPM_PACKAGES = [
  '@inferlens/server',
  'express',
  'onnxruntime-node',
  '@opentelemetry/sdk-node',
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-express',
  'pino-http',
  'autocannon',
];
/** The Python packages, by the venv they are installed in. */
const PYTHON_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  'kserve-venv': ['kserve', 'onnxruntime'],
  'mlserver-venv': ['mlserver', 'mlserver-sklearn', 'scikit-learn'],
};

function npmVersion(name: string): string {
  try {
    const manifest = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    };
    return `${name} ${manifest.version}`;
  } catch {
    return `${name} (not installed)`;
  }
}

function pythonVersions(venv: string, names: readonly string[]): string[] {
  const script = `import importlib.metadata as m, sys\nfor n in sys.argv[1:]: print(n, m.version(n))`;
  try {
    const python = join(PEER_CACHE, venv, 'bin', 'python');
    return execFileSync(python, ['-c', script, ...names], { encoding: 'utf8' })
      .trim()
      .split('\n');
  } catch {
    return names.map((name) => `${name} (not installed)`);
  }
}

export interface ResultsInput {
  readonly started: Date;
  readonly settings: BenchSettings;
  readonly pinning: Pinning;
  readonly reports: readonly ScenarioReport[];
  /** The flags the suite was run with. */
  readonly argv: readonly string[];
}

/** bench/RESULTS.md: when, where, with what and how the figures were taken, then the tables. */
export function resultsDocument({ started, settings, pinning, reports, argv }: ResultsInput): string {
  const cpu = cpus();
  const versions = [
    `Node.js ${process.versions.node}`,
    ...NPM_PACKAGES.map(npmVersion),
    ...Object.entries(PYTHON_PACKAGES).flatMap(([venv, names]) => pythonVersions(venv, names)),
  ];
  const checks = reports.flatMap((report) => report.checks);
  const pinningLine = pinning.enabled
    ? `load generator, receivers and runner on core ${LOAD_CORE}; every server under test on core ${SERVER_CORE} (taskset)`
    : `unpinned: ${pinning.reason}`;
  return [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\`; re-run it to refresh. Ratios compare figures measured in the same run.`,
    '',
    `- Date: ${started.toISOString()}`,
    `- Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / BYTES_PER_GIB).toFixed(0)} GiB, Linux ${release()}`,
    `- Pinning: ${pinningLine}`,
    `- Node.js servers: \`node ${NODE_SERVER_FLAGS.join(' ')}\` (see bench/targets/servers.ts)`,
    `- Command: \`npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}\``,
    `- Settings: ${settings.warmupSeconds} s warm-up per variant, then ${settings.rounds} alternating rounds of ${settings.durationSeconds} s per variant, ${settings.connections} connections (autocannon as fast as the server answers, or the open-loop generator at a fixed rate where a table says so); figures are medians of the rounds; memory run ${settings.memoryDurationSeconds} s`,
    `- Versions: ${versions.join(', ')}`,
    '',
    '## Targets',
    '',
    '| target | figure | met |',
    '| --- | --- | --- |',
    ...checks.map((check) => `| ${check.target} | ${check.figure} | ${check.met ? 'met' : 'NOT met'} |`),
    '',
    '## Scenarios',
    '',
    reports.map(formatScenario).join('\n\n'),
    '',
  ].join('\n');
}
