import { describe, expect, it } from 'vitest';
import { GRADER_TARGETS, graderTable, runGraderBench } from '../../bench/grader.ts';

/**
 * `npm run bench:grader` end to end, one round of two suites: the real
 * `node grader/main.ts` against the demo server and the Node example
 * solution, each in its own process. It checks what the run counts, not how
 * fast: timings on a shared machine say nothing a test may rely on.
 */
describe('npm run bench:grader', () => {
  it('times npm run grade per suite against both servers, every check passing', async () => {
    const lines: string[] = [];
    const { runs, rows } = await runGraderBench({ rounds: 1, suites: ['handshake', 'echo'], progress: (line) => lines.push(line) });
    expect(runs.map((entry) => `${entry.target} ${entry.suite}`)).toEqual(['demo-server handshake', 'demo-server echo', 'node-example handshake', 'node-example echo']);
    expect(rows.map((row) => [row.target, row.suite, row.failed])).toEqual([
      ['demo-server', 'handshake', 0],
      ['demo-server', 'echo', 0],
      ['node-example', 'handshake', 0],
      ['node-example', 'echo', 0],
    ]);
    for (const row of rows) {
      // The checks each suite has, as the grader's own JSON counted them.
      expect(row.checks, `${row.target} ${row.suite}`).toBeGreaterThanOrEqual(3);
      // The command's time includes the grader's own: starting Node comes on top.
      expect(row.wallMs, `${row.target} ${row.suite}`).toBeGreaterThan(row.gradeMs);
    }
    expect(lines).toHaveLength(4);
    const table = graderTable(rows);
    expect(table.split('\n')[0]).toMatch(new RegExp(`^\\| Suite +\\| ${GRADER_TARGETS.map((target) => `${target.label} +`).join('\\| ')}\\|$`));
    expect(table).toMatch(/\| echo +\| [\d.]+ s \(\d+ passed\) +\| [\d.]+ s \(\d+ passed\) +\|/);
  }, 60_000);
});
