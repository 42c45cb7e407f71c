import type { CheckResult } from './check.ts';
import type { GradeReport } from './grade.ts';

function seconds(ms: number): string {
  return ms < 1000 ? `${String(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One check as the terminal shows it: `✓ name (12 ms)`, and for a failure what was seen and the hint. */
export function formatResult(result: CheckResult): string[] {
  const mark = result.verdict === 'pass' ? '✓' : '✗';
  const lines = [`  ${mark} ${result.name} (${seconds(result.ms)})`];
  if (result.detail !== null) lines.push(`      got:  ${result.detail}`);
  if (result.hint !== null) lines.push(`      hint: ${result.hint}`);
  return lines;
}

/** The closing line: how many checks passed, and the time. */
export function formatSummary(report: GradeReport): string {
  const total = report.results.length;
  const verdict = report.failed === 0 ? 'all checks passed' : `${String(report.failed)} of ${String(total)} checks failed`;
  return `${verdict} (${String(report.passed)}/${String(total)} passed, ${seconds(report.ms)})`;
}

/** The machine-readable report (`--json`). */
export function formatJson(report: GradeReport): string {
  return JSON.stringify({ ...report, ok: report.failed === 0 }, null, 2);
}
