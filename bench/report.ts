/**
 * Turns the runs into the report: medians per server, the ratio against
 * bare `ws`, each budget met or missed, as JSON and as a text table.
 */
import type { Budget, MetricSpec } from './scenarios.ts';
import type { TargetName } from './targets.ts';

export interface RunRecord {
  readonly round: number;
  readonly target: TargetName;
  readonly values: Readonly<Record<string, number>>;
  /** CPU profile of the server for this run, when `--profile` was given. */
  readonly profile: string | null;
}

export interface MetricSummary extends MetricSpec {
  readonly socketbook: { readonly values: readonly number[]; readonly median: number };
  readonly ws: { readonly values: readonly number[]; readonly median: number } | null;
  /** Socketbook's median ÷ bare ws's median, or `null` without a reference. */
  readonly ratio: number | null;
}

export interface BudgetVerdict {
  readonly metric: string;
  readonly rule: string;
  readonly actual: number;
  readonly met: boolean;
}

export interface ScenarioReport {
  readonly id: string;
  readonly title: string;
  /** Rounds run: each metric is the median of this many runs per server. */
  readonly rounds: number;
  readonly runs: readonly RunRecord[];
  readonly metrics: readonly MetricSummary[];
  readonly budgets: readonly BudgetVerdict[];
  readonly notes: readonly string[];
}

/** The median of `values` (mean of the middle two for an even count); `NaN` when empty. */
export function median(values: readonly number[]): number {
  const sorted = [...values].filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

export function summarizeScenario(
  scenario: { readonly id: string; readonly metrics: readonly MetricSpec[]; readonly budgets: readonly Budget[] },
  title: string,
  runs: readonly RunRecord[],
  notes: readonly string[],
  rounds = Math.max(0, ...runs.map((run) => run.round)),
): ScenarioReport {
  const valuesOf = (target: TargetName, key: string) => runs.filter((run) => run.target === target).map((run) => run.values[key] ?? NaN);
  const hasReference = runs.some((run) => run.target === 'ws');
  const metrics = scenario.metrics.map((metric): MetricSummary => {
    const socketbook = valuesOf('socketbook', metric.key);
    const ws = hasReference ? valuesOf('ws', metric.key) : null;
    const socketbookMedian = median(socketbook);
    const wsMedian = ws === null ? NaN : median(ws);
    return {
      ...metric,
      socketbook: { values: socketbook, median: socketbookMedian },
      ws: ws === null ? null : { values: ws, median: wsMedian },
      ratio: ws === null || wsMedian === 0 ? null : socketbookMedian / wsMedian,
    };
  });
  const budgets = scenario.budgets.map((budget): BudgetVerdict => {
    const metric = metrics.find((candidate) => candidate.key === budget.metric);
    if (metric === undefined) throw new Error(`budget on unknown metric ${budget.metric}`);
    if (budget.kind === 'ratio-at-least') {
      const actual = metric.ratio ?? NaN;
      return { metric: budget.metric, rule: `≥ ${String(budget.value)}× bare ws`, actual, met: actual >= budget.value };
    }
    if (budget.kind === 'ratio-at-most') {
      const actual = metric.ratio ?? NaN;
      return { metric: budget.metric, rule: `≤ ${String(budget.value)}× bare ws`, actual, met: actual <= budget.value };
    }
    const actual = metric.socketbook.median;
    return { metric: budget.metric, rule: `≤ ${String(budget.value)}${metric.unit === '' ? '' : ` ${metric.unit}`}`, actual, met: actual <= budget.value };
  });
  return { id: scenario.id, title, rounds, runs, metrics, budgets, notes };
}

/** `12345.6` → `12,346`; `NaN` → `–`. */
export function formatNumber(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Lays out rows as a Markdown table with aligned columns (readable in a terminal, pasteable into the docs). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** One row per metric: medians, the ratio, and the budget on it if any. */
export function serverTable(scenarios: readonly ScenarioReport[]): string {
  const rows: string[][] = [];
  for (const scenario of scenarios) {
    for (const [index, metric] of scenario.metrics.entries()) {
      const budgets = scenario.budgets.filter((verdict) => verdict.metric === metric.key);
      const unit = metric.unit === '' ? '' : ` ${metric.unit}`;
      rows.push([
        index === 0 ? `${scenario.title} (${String(scenario.rounds)} rounds)` : '',
        `${metric.label}${unit === '' ? '' : ` (${metric.unit})`}`,
        formatNumber(metric.socketbook.median, metric.digits),
        metric.ws === null ? '' : formatNumber(metric.ws.median, metric.digits),
        metric.ratio === null ? '' : `${metric.ratio.toFixed(2)}×`,
        budgets.map((budget) => `${budget.rule}: ${budget.met ? 'met' : 'MISSED'}`).join('; '),
      ]);
    }
  }
  return markdownTable(['Scenario', 'Metric', 'Socketbook', 'bare ws', 'Ratio', 'Budget'], rows);
}
