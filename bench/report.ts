import type { ReportRow, ScenarioReport } from './scenario.js';

const RATIO_DIGITS = 2;
const LATENCY_DIGITS = 2;

function cell(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

function ratioCell(value: number, baseline: number | undefined): string {
  if (baseline === undefined) return '';
  const ratio = value / baseline;
  return Number.isFinite(ratio) ? `${ratio.toFixed(RATIO_DIGITS)}×` : 'n/a';
}

function rowCells(row: ReportRow, baseline: ReportRow | undefined, extraColumns: readonly string[]): string[] {
  const extras = extraColumns.map((column) => row.extra?.[column] ?? '');
  const m = row.measurement;
  if (m === undefined && row.skipped === undefined) return [row.name, '—', '', '', '—', '', '—', '', '—', ...extras];
  if (m === undefined) return [row.name, `skipped: ${row.skipped}`, '', '', '', '', '', '', '', ...extras];
  const base = baseline?.measurement;
  return [
    row.name,
    Math.round(m.requestsPerSecond).toString(),
    m.requestsPerSecondRange === undefined
      ? ''
      : `${Math.round(m.requestsPerSecondRange.min)}–${Math.round(m.requestsPerSecondRange.max)}`,
    ratioCell(m.requestsPerSecond, base?.requestsPerSecond),
    cell(m.p50Ms, LATENCY_DIGITS),
    ratioCell(m.p50Ms, base?.p50Ms),
    cell(m.p99Ms, LATENCY_DIGITS),
    ratioCell(m.p99Ms, base?.p99Ms),
    String(m.failures),
    ...extras,
  ];
}

/** A scenario as a Markdown table, its target checks and notes. */
export function formatScenario(report: ScenarioReport): string {
  const baseline = report.rows.find((row) => row.name === report.baseline);
  const header = [
    'variant',
    'req/s',
    'rounds',
    '× base',
    'p50 ms',
    '× base',
    'p99 ms',
    '× base',
    'failed',
    ...report.extraColumns,
  ];
  const lines = [
    `### ${report.title}`,
    '',
    `Baseline: ${report.baseline}${baseline === undefined || baseline.skipped !== undefined ? ' (not measured: no ratios)' : ''}.`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...report.rows.map((row) => `| ${rowCells(row, baseline, report.extraColumns).join(' | ')} |`),
  ];
  if (report.checks.length > 0) {
    lines.push('', '| target | figure | met |', '| --- | --- | --- |');
    for (const check of report.checks)
      lines.push(`| ${check.target} | ${check.figure} | ${check.met ? 'met' : 'NOT met'} |`);
  }
  if (report.notes.length > 0) lines.push('', ...report.notes.map((note) => `- ${note}`));
  return lines.join('\n');
}
