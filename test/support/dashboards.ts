/**
 * The shipped Grafana dashboards read as Grafana reads them, and the
 * Prometheus series the middleware's metrics become, derived from their
 * definitions: what the dashboard tests check the queries against.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { MetricDefinition } from '../../packages/express/src/metrics/descriptors.js';
import { METRIC_DEFINITIONS } from '../../packages/express/src/metrics/descriptors.js';
import { REPOSITORY_ROOT } from './cli.js';

/** Grafana loads every dashboard JSON in this folder (collector-config/grafana/provisioning). */
const DASHBOARD_DIR = join(REPOSITORY_ROOT, 'collector-config/grafana/dashboards');
const DATASOURCES_FILE = join(REPOSITORY_ROOT, 'collector-config/grafana/provisioning/datasources/datasources.yaml');

/** A panel target of the dashboard JSON. */
interface DashboardTarget {
  readonly expr: string;
  readonly legendFormat?: string;
  readonly datasource: { readonly uid: string };
}

interface DashboardPanel {
  readonly title: string;
  readonly targets?: readonly DashboardTarget[];
  /** A row's panels, when the row is collapsed. */
  readonly panels?: readonly DashboardPanel[];
}

/** A template variable of the dashboard JSON (`$model`). */
export interface DashboardVariable {
  readonly name: string;
  readonly includeAll?: boolean;
  /** What Grafana puts in place of the variable when `All` is picked. */
  readonly allValue?: string;
}

interface Dashboard {
  readonly panels: readonly DashboardPanel[];
  readonly templating?: { readonly list: readonly DashboardVariable[] };
}

/** One query of a dashboard panel, titled `file: panel`. */
export interface DashboardQuery {
  readonly title: string;
  readonly expr: string;
  readonly legendFormat: string;
}

/** Every shipped dashboard, by file name. */
function dashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Dashboard }));
}

/**
 * Every dashboard's queries of one data source (by uid), each variable named
 * in `variables` replaced by its value, as Grafana does before it asks.
 */
export function dashboardQueries(
  datasourceUid: string,
  variables: Readonly<Record<string, string>> = {},
): DashboardQuery[] {
  const fill = (text: string): string =>
    Object.entries(variables).reduce((filled, [name, value]) => filled.replaceAll(name, value), text);
  return dashboards().flatMap(({ file, dashboard }) =>
    dashboard.panels
      .flatMap((panel) => [panel, ...(panel.panels ?? [])])
      .flatMap((panel) =>
        (panel.targets ?? [])
          .filter((target) => target.datasource.uid === datasourceUid)
          .map((target) => ({
            title: `${file}: ${panel.title}`,
            expr: fill(target.expr),
            legendFormat: target.legendFormat ?? '',
          })),
      ),
  );
}

/** Every dashboard's template variables. */
export function dashboardVariables(): DashboardVariable[] {
  return dashboards().flatMap(({ dashboard }) => dashboard.templating?.list ?? []);
}

/**
 * What Grafana puts in place of each dashboard variable (`$model`) when All
 * is picked and the variable names its All value. One that does not gets
 * the values its query listed, joined, which no test here can know.
 */
export function dashboardAllValues(): Record<string, string> {
  return Object.fromEntries(
    dashboardVariables().flatMap(({ name, allValue }) => (allValue === undefined ? [] : [[`$${name}`, allValue]])),
  );
}

/** Metric name suffixes the collector's Prometheus translation adds for a unit. */
const UNIT_SUFFIXES: Readonly<Record<string, string>> = { s: '_seconds', By: '_bytes' };
const HISTOGRAM_SERIES = ['_bucket', '_count', '_sum'];

/**
 * Every Prometheus series name the middleware's metrics become, each with
 * the metric it comes from, derived from their definitions: dots to
 * underscores, the unit's suffix (none for `{...}` units), then `_total` for
 * counters and the three histogram series.
 */
export function prometheusSeries(): Map<string, MetricDefinition> {
  const base = (definition: MetricDefinition): string =>
    definition.name.replaceAll('.', '_') + (UNIT_SUFFIXES[definition.unit] ?? '');
  const series = (definition: MetricDefinition): string[] => {
    if (definition.kind === 'histogram') return HISTOGRAM_SERIES.map((suffix) => base(definition) + suffix);
    return [definition.kind === 'counter' ? `${base(definition)}_total` : base(definition)];
  };
  return new Map(
    METRIC_DEFINITIONS.flatMap((definition) => series(definition).map((name) => [name, definition] as const)),
  );
}

/** The series an expression reads: the project's names left once label matchers and `by (...)` lists are taken out. */
export function seriesNamesIn(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '').replace(/\b(?:by|without)\s*\([^)]*\)/g, '');
  return withoutLabels.match(/\b(?:inference|inferlens)_\w+/g) ?? [];
}

/**
 * PromQL's aggregation operators, each followed by its grouping if written
 * first (`#n`, as {@link seriesKeeping} writes one), at the end of a text.
 */
const AGGREGATION_BEFORE = /\b(?:sum|min|max|avg|count|group|stddev|stdvar)\s*(?:#(\d+))?\s*$/;
/** An aggregation's grouping written after its parentheses. */
const GROUPING_AFTER = /^\s*#(\d+)/;

/** Where the parenthesis opened at `open` closes. */
function closingOf(text: string, open: number): number {
  for (let depth = 0, at = open; at < text.length; at++) {
    if (text[at] === '(') depth++;
    else if (text[at] === ')' && --depth === 0) return at;
  }
  return text.length;
}

/**
 * The series an expression reads without an aggregation around the reading
 * that drops `label` (`sum(...)`, `sum by (others) (...)`,
 * `sum without (label) (...)`, the grouping before or after the
 * parentheses): readings whose result still has one line per value of
 * `label`.
 */
export function seriesKeeping(expr: string, label: string): string[] {
  // Selectors and grouping lists hold label names, which share the series' prefix: out of the way first.
  const keeps: boolean[] = [];
  const text = expr
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without)\s*\(([^)]*)\)/g, (_, kind: string, list: string) => {
      const named = list.split(',').some((name) => name.trim() === label);
      keeps.push(kind === 'by' ? named : !named);
      return `#${keeps.length - 1}`;
    });
  /** Whether the parenthesis opened at `open` is an aggregation's that drops `label`. */
  const drops = (open: number): boolean => {
    const operator = AGGREGATION_BEFORE.exec(text.slice(0, open));
    if (operator === null) return false;
    const grouping = operator[1] ?? GROUPING_AFTER.exec(text.slice(closingOf(text, open) + 1))?.[1];
    return grouping === undefined || !keeps[Number(grouping)];
  };
  /** Whether a parenthesis around the reading at `index` drops `label`. */
  const dropped = (index: number): boolean => {
    for (let depth = 0, at = index - 1; at >= 0; at--) {
      if (text[at] === ')') depth++;
      else if (text[at] === '(' && depth > 0) depth--;
      else if (text[at] === '(' && drops(at)) return true;
    }
    return false;
  };
  return [...text.matchAll(/\b(?:inference|inferlens)_\w+/g)]
    .filter(({ index }) => !dropped(index))
    .map(([name]) => name);
}

/**
 * The label names an expression and its legend use: those its selectors
 * match on, those its aggregations group by, and the `{{label}}` of its
 * legend.
 */
export function labelNamesIn(expr: string, legendFormat: string): string[] {
  const matchers = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap(([, inside]) =>
    [...inside.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map(([, name]) => name),
  );
  const grouped = [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap(([, list]) =>
    list
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  );
  const shown = [...legendFormat.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map(([, name]) => name);
  return [...matchers, ...grouped, ...shown];
}

/** A label matcher of a LogQL or PromQL query: `name op "value"`, in a selector or a LogQL label filter. */
export interface LabelMatcher {
  readonly name: string;
  readonly op: string;
  readonly value: string;
}

/**
 * The label matchers of a LogQL or PromQL query: those of its selectors and
 * those of its LogQL label filters (`| name="value"`), each with its value as
 * written (double-quoted strings only, which is what the shipped queries use).
 */
export function labelMatchers(expr: string): LabelMatcher[] {
  const matcher = /(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g;
  const selected = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap(([, inside]) => [...inside.matchAll(matcher)]);
  const filtered = [...expr.matchAll(/\|\s*(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)];
  return [...selected, ...filtered].map(([, name, op, value]) => ({ name, op, value }));
}

/** Whether a label value passes a matcher; a missing label is the empty string, as Loki and Prometheus have it. */
export function matches({ op, value }: LabelMatcher, labelValue: string | undefined): boolean {
  const actual = labelValue ?? '';
  const regex = new RegExp(`^(?:${value})$`);
  if (op === '=') return actual === value;
  if (op === '!=') return actual !== value;
  if (op === '=~') return regex.test(actual);
  return !regex.test(actual);
}

/** The label names a LogQL query uses: those its stream selector and its label filters match on. */
export function logqlLabelNames(expr: string): string[] {
  return labelMatchers(expr).map(({ name }) => name);
}

/** A span attribute (`key`) a trace link turns into a label (`value`) of the linked query. */
interface TagMapping {
  readonly key: string;
  readonly value: string;
}

/** The parts of the provisioned data sources (datasources.yaml) that link logs, traces and metrics. */
export interface LinkedDataSources {
  readonly loki: {
    readonly jsonData: {
      readonly derivedFields: readonly { matcherType: string; matcherRegex: string; datasourceUid: string }[];
    };
  };
  readonly tempo: {
    readonly jsonData: {
      readonly tracesToLogsV2: { readonly tags: readonly TagMapping[]; readonly query: string };
      readonly tracesToMetrics: {
        readonly tags: readonly TagMapping[];
        readonly queries: readonly { name: string; query: string }[];
      };
    };
  };
}

/** The provisioned Loki and Tempo data sources, by uid. */
export function dataSources(): LinkedDataSources {
  const file = parseYaml(readFileSync(DATASOURCES_FILE, 'utf8')) as { datasources: { uid: string }[] };
  const byUid = new Map(file.datasources.map((source) => [source.uid, source]));
  return { loki: byUid.get('loki'), tempo: byUid.get('tempo') } as unknown as LinkedDataSources;
}
