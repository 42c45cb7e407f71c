/**
 * `npm run bench:grader`: how long `npm run grade` takes, suite by suite,
 * against the demo server and against the Node example solution
 * (examples/node-echo-chat/solution.js), each in its own process on
 * 127.0.0.1. Each grade is the real command line (`node grader/main.ts
 * <url> --suite <suite> --json`, what `npm run grade` runs, without npm's
 * own start-up), timed from spawn to exit; its JSON gives the checks passed
 * and the grader's own time. Medians of `--rounds` rounds, alternating
 * which server goes first. The heartbeat suite mostly waits: both servers
 * are graded with the same heartbeat (1 s interval, 1 s timeout), so the
 * times compare.
 *
 *   npm run bench:grader                 3 rounds (about 2 minutes)
 *   npm run bench:grader -- --quick      1 round, to check the harness
 *   npm run bench:grader -- --rounds 5 --out bench-results
 *
 * Writes bench-results/grader-<time>.json and grader-latest.json, which
 * `npm run bench:publish` copies to the Performance page.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { SUITE_NAMES, type SuiteName } from '../grader/check.ts';
import type { GradeReport } from '../grader/grade.ts';
import { formatNumber, markdownTable, median } from './report.ts';
import { describeMachine, gitCommit, type MachineDescription } from './system.ts';
import { socketbookTarget, startTarget, type RunningTarget, type TargetSpec } from './targets.ts';

const run = promisify(execFile);

/** A server the grader is timed against, and the URL of each suite on it. */
export interface GraderTarget {
  readonly id: 'demo-server' | 'node-example';
  readonly label: string;
  readonly spec: TargetSpec;
  readonly path: Readonly<Record<SuiteName, string>>;
}

/** The same heartbeat as the Node example's (1 s + 1 s), so the heartbeat suite's times compare. */
const HEARTBEAT_QUERY = 'interval=1000&timeout=1000';

export const GRADER_TARGETS: readonly GraderTarget[] = [
  {
    id: 'demo-server',
    label: 'demo server',
    spec: socketbookTarget(['--attacker-port', '0']),
    path: { handshake: '/ws/echo', echo: '/ws/echo', chat: '/ws/chat/grader', heartbeat: `/ws/heartbeat?${HEARTBEAT_QUERY}` },
  },
  {
    id: 'node-example',
    label: 'Node example solution',
    spec: { name: 'example', script: 'examples/node-echo-chat/solution.js', args: ['0'] },
    path: { handshake: '/', echo: '/echo', chat: '/chat/lobby', heartbeat: '/heartbeat' },
  },
];

export interface GraderRun {
  readonly round: number;
  readonly target: GraderTarget['id'];
  readonly suite: SuiteName;
  /** Spawn to exit of `node grader/main.ts`, in ms: what a student waits for. */
  readonly wallMs: number;
  /** The grader's own time for its checks (its JSON's `ms`). */
  readonly gradeMs: number;
  readonly passed: number;
  readonly failed: number;
}

/** Per target and suite: medians over the rounds, and the worst round's failures. */
export interface GraderRow {
  readonly target: GraderTarget['id'];
  readonly suite: SuiteName;
  readonly checks: number;
  readonly wallMs: number;
  readonly gradeMs: number;
  /** Failed checks in the worst round: 0 when every check passed every time. */
  readonly failed: number;
}

export interface GraderBenchReport {
  readonly kind: 'socketbook-grader-bench';
  readonly version: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly commit: string;
  readonly quick: boolean;
  readonly rounds: number;
  readonly machine: MachineDescription & { readonly loadAverageAtEnd: number };
  readonly targets: readonly { readonly id: GraderTarget['id']; readonly label: string }[];
  readonly suites: readonly SuiteName[];
  readonly runs: readonly GraderRun[];
  readonly rows: readonly GraderRow[];
}

/** One timed `npm run grade` (as `node grader/main.ts … --json`); a failing check is a result, not an error. */
async function gradeOnce(url: string, suite: SuiteName): Promise<Omit<GraderRun, 'round' | 'target' | 'suite'>> {
  const started = performance.now();
  let stdout: string;
  try {
    ({ stdout } = await run(process.execPath, ['grader/main.ts', url, '--suite', suite, '--json'], { timeout: 150_000, maxBuffer: 4 * 1024 * 1024 }));
  } catch (error) {
    // Exit code 1: a check failed; the JSON is still on stdout.
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (failed.code !== 1 || failed.stdout === undefined) throw new Error(`npm run grade -- ${url} --suite ${suite} did not run: ${failed.stderr ?? String(error)}`, { cause: error });
    stdout = failed.stdout;
  }
  const wallMs = performance.now() - started;
  const report = JSON.parse(stdout) as GradeReport;
  return { wallMs, gradeMs: report.ms, passed: report.passed, failed: report.failed };
}

/** Every suite against every target, `rounds` times; each server is started once per round and stopped after. */
export async function runGraderBench(options: { readonly rounds: number; readonly suites?: readonly SuiteName[]; readonly progress?: (line: string) => void }): Promise<{ runs: GraderRun[]; rows: GraderRow[] }> {
  const suites = options.suites ?? SUITE_NAMES;
  const runs: GraderRun[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const order = round % 2 === 1 ? GRADER_TARGETS : [...GRADER_TARGETS].reverse();
    for (const target of order) {
      const server: RunningTarget = await startTarget(target.spec, { openFileLimit: null, profileDir: null });
      try {
        for (const suite of suites) {
          const result = await gradeOnce(`${server.wsOrigin}${target.path[suite]}`, suite);
          runs.push({ round, target: target.id, suite, ...result });
          options.progress?.(`  grader round ${String(round)} ${target.label.padEnd(22)} ${suite.padEnd(10)} ${(result.wallMs / 1000).toFixed(2)} s, ${String(result.passed)} passed, ${String(result.failed)} failed`);
        }
      } finally {
        await server.stop();
      }
    }
  }
  const rows = GRADER_TARGETS.flatMap((target) =>
    suites.map((suite): GraderRow => {
      const mine = runs.filter((entry) => entry.target === target.id && entry.suite === suite);
      return {
        target: target.id,
        suite,
        checks: Math.max(...mine.map((entry) => entry.passed + entry.failed)),
        wallMs: median(mine.map((entry) => entry.wallMs)),
        gradeMs: median(mine.map((entry) => entry.gradeMs)),
        failed: Math.max(...mine.map((entry) => entry.failed)),
      };
    }),
  );
  return { runs, rows };
}

/** One row per suite, a column per server: the median time and whether every check passed. */
export function graderTable(rows: readonly GraderRow[]): string {
  const suites = [...new Set(rows.map((row) => row.suite))];
  const cell = (row: GraderRow | undefined) =>
    row === undefined ? '' : `${formatNumber(row.wallMs / 1000, 2)} s (${row.failed === 0 ? `${String(row.checks)} passed` : `${String(row.failed)} of ${String(row.checks)} FAILED`})`;
  return markdownTable(
    ['Suite', ...GRADER_TARGETS.map((target) => target.label)],
    suites.map((suite) => [suite, ...GRADER_TARGETS.map((target) => cell(rows.find((row) => row.target === target.id && row.suite === suite)))]),
  );
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      out: { type: 'string', default: 'bench-results' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log('Usage: npm run bench:grader -- [--quick] [--rounds 3] [--out bench-results]');
    process.exit(0);
  }
  const rounds = values.rounds === undefined ? (values.quick ? 1 : 3) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    console.error(`--rounds must be a whole number from 1 to 20, got ${JSON.stringify(values.rounds)}`);
    process.exit(2);
  }
  const machine = describeMachine();
  const startedAt = new Date();
  console.log(`npm run grade, suite by suite, against ${GRADER_TARGETS.map((target) => target.label).join(' and ')}; ${String(rounds)} round(s); load average ${String(machine.loadAverageAtStart)} on ${String(machine.cores)} cores`);
  const { runs, rows } = await runGraderBench({ rounds, progress: (line) => console.log(line) });
  const report: GraderBenchReport = {
    kind: 'socketbook-grader-bench',
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit: gitCommit(),
    quick: values.quick,
    rounds,
    machine: { ...machine, loadAverageAtEnd: Number((loadavg()[0] ?? 0).toFixed(2)) },
    targets: GRADER_TARGETS.map((target) => ({ id: target.id, label: target.label })),
    suites: [...SUITE_NAMES],
    runs,
    rows,
  };
  const outDir = resolve(values.out);
  await mkdir(outDir, { recursive: true });
  const jsonPath = join(outDir, `grader-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(outDir, 'grader-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${graderTable(rows)}\n\nMedians of ${String(rounds)} round(s), spawn to exit of node grader/main.ts.  JSON: ${jsonPath}`);
  const failed = rows.filter((row) => row.failed > 0);
  if (failed.length > 0) console.log(`Checks failed: ${failed.map((row) => `${row.target} ${row.suite}`).join(', ')}`);
  process.exit(failed.length === 0 ? 0 : 1);
}
