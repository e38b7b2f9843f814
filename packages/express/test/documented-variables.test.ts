/**
 * Every variable docs/configuration.md's option table names is one the
 * middleware reads: set to a valid value, it changes the configuration the
 * middleware resolves, with no warning. A variable misspelt in the document,
 * or one the code stops reading, fails here.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config.js';
import type { ResolvedConfig } from '../src/config.js';
import { readDoc, tableRows } from '../../../test/support/documented-table.js';
import { recordingReporter } from './export-helpers.js';

/**
 * The variables of one cell, abbreviations written out: `OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE,
 * _CLIENT_KEY`, `OTEL_BLRP_EXPORT_TIMEOUT, OTEL_BSP_…` (the same suffix) and `OTEL_{LOGS,TRACES,METRICS}_EXPORTER`.
 */
function variablesOf(cell: string): string[] {
  const named = cell.replace(/\s*\([^)]*\)/g, '').split(', ');
  const [first] = named;
  return named
    .map((name) => {
      if (name.startsWith('_')) return `${first.slice(0, first.indexOf(name.split('_')[1]) - 1)}${name}`;
      if (name.endsWith('_…')) return `${name.slice(0, -1)}${first.replace(/^OTEL_[A-Z]+_/, '')}`;
      return name;
    })
    .flatMap((name) => {
      const choices = /\{([^}]*)\}/.exec(name);
      return choices === null ? [name] : choices[1].split(',').map((choice) => name.replace(choices[0], choice));
    });
}

/** A readable file, for the variables that name a PEM file. */
const READABLE_FILE = fileURLToPath(import.meta.url);

/** A valid value, other than the default, for a variable, by how its name ends. */
function validValue(variable: string): string {
  const byEnding: [RegExp, string][] = [
    [/_ENDPOINT$/, 'http://elsewhere:4318/v1/signal'],
    [/_HEADERS$/, 'x-tenant=a'],
    [/(_TIMEOUT|_INTERVAL|_DELAY|_SIZE)$/, '1234'],
    [/_COMPRESSION$/, 'none'],
    [/_PROTOCOL$/, 'http/json'],
    [/(_CERTIFICATE|_KEY)$/, READABLE_FILE],
    [/_EXPORTER$/, 'none'],
    [/_TEMPORALITY_PREFERENCE$/, 'delta'],
    [/_KNOWN_METHODS$/, 'GET,PURGE'],
    [/_PROMETHEUS_HOST$/, '0.0.0.0'],
    [/_PROMETHEUS_PORT$/, '9100'],
    [/_LIMIT$/, '64'],
    [/^OTEL_SERVICE_NAME$/, 'documented-service'],
    [/^OTEL_RESOURCE_ATTRIBUTES$/, 'deployment.environment.name=test'],
    [/^OTEL_NODE_RESOURCE_DETECTORS$/, 'host'],
  ];
  const value = byEnding.find(([ending]) => ending.test(variable))?.[1];
  if (value === undefined) throw new Error(`no valid value known for ${variable}`);
  return value;
}

/**
 * The configuration resolved with an endpoint and the Prometheus endpoint on (so that their settings exist) and
 * `env`, and what it warned.
 */
function resolve(env: NodeJS.ProcessEnv): { config: ResolvedConfig; warnings: string[] } {
  const reporter = recordingReporter();
  const config = resolveConfig({}, reporter, {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    OTEL_METRICS_EXPORTER: 'otlp,prometheus',
    ...env,
  });
  return { config, warnings: reporter.calls.map(({ message }) => message) };
}

describe('the variables docs/configuration.md lists', () => {
  const variables = tableRows(readDoc('docs/configuration.md'), '## `inferenceTelemetry(options)`')
    .map(([, variable]) => variable)
    .filter((cell) => cell !== '')
    .flatMap(variablesOf);

  it('are written out in full here', () => {
    expect(variables).to.include.members([
      'OTEL_EXPORTER_OTLP_CLIENT_KEY',
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      'OTEL_TRACES_EXPORTER',
      'OTEL_BSP_EXPORT_TIMEOUT',
    ]);
    for (const variable of variables) expect(variable).to.match(/^OTEL_[A-Z_]+$/);
  });

  it('each change the resolved configuration, without a warning', () => {
    const baseline = resolve({});
    // Two resolutions of one environment are alike, so a difference below is the variable's doing.
    expect(resolve({}).config).to.deep.equal(baseline.config);
    for (const variable of variables) {
      // The endpoint below is read only when no other names the signals' URLs.
      const env = variable === 'OTEL_EXPORTER_OTLP_ENDPOINT' ? { [variable]: 'http://elsewhere:4318' } : {};
      const { config, warnings } = resolve({ [variable]: validValue(variable), ...env });
      expect(warnings, variable).to.deep.equal([]);
      expect(config, variable).to.not.deep.equal(baseline.config);
    }
  });
});
