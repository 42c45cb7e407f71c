/**
 * `npm run bench`: the demo server against bare `ws`, in the same run, on
 * this machine. Each server runs in its own process on 127.0.0.1; the load
 * comes from worker threads in this one. Rounds alternate which server goes
 * first; the report gives medians, the ratio and each budget (design.md,
 * "Budgets"), prints a table and writes JSON to bench-results/.
 *
 *   npm run bench                      every scenario, 3 rounds, 5 for the tails (round trip, handshakes)
 *   npm run bench -- --quick           a smoke run in seconds (numbers not meaningful)
 *   npm run bench -- --only echo-32b,fanout --rounds 5
 *   npm run bench -- --profile         also write each server's CPU profile and summarize it
 *
 * `cluster-fanout` compares one chat room split over two instances sharing
 * it through a local redis-server with the same room on one instance
 * (bench/cluster-fanout.ts); it is skipped, saying so, without redis-server.
 *
 * `classroom` runs class mode with 60 simulated students reporting progress
 * while a teacher dashboard watches (bench/classroom.ts, also
 * `npm run bench:classroom`): server CPU and the dashboard's update delay.
 *
 * Besides the A/B scenarios, the worst cases of issue 16 against the demo
 * server alone: `tiny-flood` (one client writing up to 5,000,000 two-byte
 * messages without reading, server heap 256 MiB) and `non-readers` (50
 * clients that never read, default flags, so the server-wide budget
 * applies), each with the server's RSS before, at its peak and after.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LoadWorker } from './load.ts';
import { formatProfile, summarizeProfile } from './profile-summary.ts';
import { serverTable, summarizeScenario, type RunRecord, type ScenarioReport } from './report.ts';
import { SCENARIOS, type Scenario } from './scenarios.ts';
import { FULL_SETTINGS, QUICK_SETTINGS, type BenchSettings } from './settings.ts';
import { runSlowConsumersScenario, type SlowConsumersOutcome } from './slow-consumers-scenario.ts';
import { describeSlowConsumers, runSlowConsumers } from './slow-consumers.ts';
import { describeTinyFlood, runTinyFlood, TINY_FLOOD_BOUND_BYTES } from './tiny-flood.ts';
import { describeMachine, gitCommit, openFileLimit, sleep } from './system.ts';
import { CLASSROOM_BENCH_DEFAULTS, describeClassroomBench, runClassroomBench, type ClassroomBenchResult } from './classroom.ts';
import { CLUSTER_FANOUT_ID, clusterFanoutSkipLine, clusterFanoutTable, runClusterFanout, type ClusterFanoutReport } from './cluster-fanout.ts';
import { DEFAULTS } from '../demo-server/options.ts';
import { killAllTargets, startTarget, type TargetName } from './targets.ts';

/** Worst cases run against the demo server alone (no A/B), bounded in count and time. */
const WORST_CASES = ['tiny-flood', 'non-readers'] as const;

/** What a worst case reports: RSS before, at the peak and after, and whether its bound held. */
interface WorstCase {
  readonly id: (typeof WORST_CASES)[number];
  readonly baselineRssMiB: number;
  readonly peakRssMiB: number;
  readonly finalRssMiB: number;
  readonly boundMiB: number;
  readonly held: boolean;
  readonly description: string;
}

const USAGE = `Usage: npm run bench -- [options]

  --quick            a smoke run in seconds: small loads, one round (numbers not meaningful)
  --only <ids>       comma-separated scenarios: ${SCENARIOS.map((scenario) => scenario.id).join(', ')}, ${CLUSTER_FANOUT_ID}, slow-consumers, classroom, ${WORST_CASES.join(', ')}
  --rounds <n>       A/B rounds (default ${String(FULL_SETTINGS.rounds)}; round-trip and idle run at least 5, their p99s are tails; 1 with --quick)
  --workers <n>      load-generator threads (default ${String(FULL_SETTINGS.workers)})
  --profile          write a CPU profile of every server run (--cpu-prof) and print where the time went
  --out <folder>     where to write the JSON (default bench-results/)
`;

/** Set in the environment of the copy of this process started with a raised open-file limit. */
const RAISED_LIMIT_ENV = 'SOCKETBOOK_BENCH_RAISED_NOFILE';

interface Arguments {
  readonly settings: BenchSettings;
  readonly quick: boolean;
  readonly only: ReadonlySet<string> | null;
  readonly profile: boolean;
  readonly outDir: string;
}

function readArguments(argv: readonly string[]): Arguments {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      rounds: { type: 'string' },
      workers: { type: 'string' },
      profile: { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench-results' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const whole = (name: string, text: string | undefined, min: number, max: number): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) throw new TypeError(`--${name} must be a whole number from ${String(min)} to ${String(max)}, got ${JSON.stringify(text)}`);
    return value;
  };
  const base = values.quick ? QUICK_SETTINGS : FULL_SETTINGS;
  const settings: BenchSettings = {
    ...base,
    rounds: whole('rounds', values.rounds, 1, 20) ?? base.rounds,
    workers: whole('workers', values.workers, 1, 8) ?? base.workers,
  };
  let only: Set<string> | null = null;
  if (values.only !== undefined) {
    only = new Set(values.only.split(',').map((id) => id.trim()));
    const known = new Set([...SCENARIOS.map((scenario) => scenario.id), CLUSTER_FANOUT_ID, 'slow-consumers', 'classroom', ...WORST_CASES]);
    for (const id of only) if (!known.has(id)) throw new TypeError(`--only: unknown scenario ${JSON.stringify(id)}; known: ${[...known].join(', ')}`);
  }
  return { settings, quick: values.quick, only, profile: values.profile, outDir: resolve(values.out) };
}

/**
 * Makes sure this process and the servers it starts may open enough files
 * for the idle-connection scenario. Raises the soft limit by re-running
 * this process under `ulimit -n` when the hard limit allows; otherwise
 * lowers the connection count and says why.
 */
async function ensureOpenFiles(settings: BenchSettings, scenarios: readonly Scenario[], clusterFanout: boolean, notes: string[]): Promise<BenchSettings> {
  const needed = Math.max(256, ...scenarios.map((scenario) => scenario.openFilesNeeded(settings)), clusterFanout ? settings.clusterFanout.members + 64 : 0);
  const limit = await openFileLimit();
  if (limit.soft >= needed) return settings;
  if (limit.hard >= needed && process.env[RAISED_LIMIT_ENV] === undefined) {
    console.log(`Open-file limit ${String(limit.soft)} is below the ${String(needed)} needed; re-running with ulimit -n ${String(needed)}.`);
    const child = spawnSync('/bin/sh', ['-c', `ulimit -n ${String(needed)} && exec "$@"`, 'sh', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, [RAISED_LIMIT_ENV]: '1' },
    });
    process.exit(child.status ?? 1);
  }
  const connections = Math.max(100, Math.min(limit.soft, limit.hard) - 512);
  notes.push(
    `The open-file limit (ulimit -n ${String(limit.soft)}, hard ${String(limit.hard)}) allows fewer than the ${String(needed)} files the idle scenario needs: it held ${String(connections)} connections instead of ${String(settings.idle.connections)}. Raise it with ulimit -n as root.`,
  );
  return { ...settings, idle: { ...settings.idle, connections } };
}

async function newestProfile(folder: string): Promise<string | null> {
  const files = (await readdir(folder)).filter((file) => file.endsWith('.cpuprofile')).sort();
  return files.length === 0 ? null : join(folder, files.at(-1) ?? '');
}

async function runScenario(scenario: Scenario, args: Arguments, settings: BenchSettings, workers: readonly LoadWorker[], profileRoot: string): Promise<ScenarioReport> {
  const runs: RunRecord[] = [];
  const notes: string[] = [];
  const openFiles = scenario.openFilesNeeded(settings);
  const limit = await openFileLimit();
  const rounds = args.quick ? settings.rounds : Math.max(settings.rounds, scenario.minRounds ?? 1);
  for (let round = 0; round < rounds; round++) {
    // ABBA…: whichever server runs second in a round meets a warmer, busier machine; alternate it.
    const order: TargetName[] = round % 2 === 0 ? ['socketbook', 'ws'] : ['ws', 'socketbook'];
    for (const name of order) {
      const spec = scenario.target(name, settings);
      if (spec === null) continue;
      const profileDir = args.profile ? join(profileRoot, `${scenario.id}-${name}-round${String(round + 1)}`) : null;
      const target = await startTarget(spec, { openFileLimit: limit.soft >= openFiles ? null : openFiles, profileDir });
      const started = performance.now();
      let values: Record<string, number>;
      try {
        values = await scenario.run(target, { workers, settings, note: (message) => notes.push(`round ${String(round + 1)}: ${message}`) });
      } finally {
        await target.stop();
      }
      const profile = profileDir === null ? null : await newestProfile(profileDir);
      runs.push({ round: round + 1, target: name, values, profile });
      process.stdout.write(`  ${scenario.id} round ${String(round + 1)} ${name.padEnd(10)} ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      // Let the previous server's sockets and CPU settle.
      await sleep(300);
    }
  }
  return summarizeScenario(scenario, scenario.title(settings), runs, notes, rounds);
}

// Ctrl+C mid-run must not leave servers behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllTargets();
    process.exit(130);
  });
}

let args: Arguments;
try {
  args = readArguments(process.argv.slice(2));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
const selected = SCENARIOS.filter((scenario) => args.only === null || args.only.has(scenario.id));
const runsClusterFanout = args.only === null || args.only.has(CLUSTER_FANOUT_ID);
const globalNotes: string[] = [];
const settings = await ensureOpenFiles(args.settings, selected, runsClusterFanout, globalNotes);
const machine = describeMachine();
const startedAt = new Date();
const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
const profileRoot = join(args.outDir, 'profiles', stamp);
console.log(
  `Socketbook vs bare ws on ${machine.cpu}, ${String(machine.cores)} cores, Node ${machine.node}; load average ${String(machine.loadAverageAtStart)}; ${String(settings.rounds)} round(s)${args.quick ? ', --quick (numbers not meaningful)' : ''}`,
);
if (machine.loadAverageAtStart > machine.cores) {
  globalNotes.push(`The load average was ${String(machine.loadAverageAtStart)} on ${String(machine.cores)} cores when the run started: other work competed for the CPU, so absolute numbers are low and noisy; the same-run ratios are the figures to read.`);
}

const workers = Array.from({ length: settings.workers }, () => new LoadWorker());
const scenarios: ScenarioReport[] = [];
let clusterFanout: ClusterFanoutReport | null = null;
let slowConsumers: SlowConsumersOutcome | null = null;
let classroom: ClassroomBenchResult | null = null;
const worstCases: WorstCase[] = [];
const MiB = 1024 * 1024;
try {
  for (const scenario of selected) scenarios.push(await runScenario(scenario, args, settings, workers, profileRoot));
  if (runsClusterFanout) {
    clusterFanout = await runClusterFanout(workers, settings, (line) => process.stdout.write(`${line}\n`));
  }
  if (args.only === null || args.only.has('slow-consumers')) {
    process.stdout.write(`  slow-consumers: ${String(settings.slowConsumers.clients)} clients that never read\n`);
    slowConsumers = await runSlowConsumersScenario(settings.slowConsumers.clients);
  }
  if (args.only === null || args.only.has('classroom')) {
    const students = CLASSROOM_BENCH_DEFAULTS.students;
    const seconds = args.quick ? 5 : CLASSROOM_BENCH_DEFAULTS.seconds;
    process.stdout.write(`  classroom: ${String(students)} students reporting progress for ${String(seconds)} s, one teacher dashboard\n`);
    classroom = await runClassroomBench({ students, seconds });
  }
  if (args.only === null || args.only.has('tiny-flood')) {
    const frames = args.quick ? 1_000_000 : 5_000_000;
    process.stdout.write(`  tiny-flood: one client, ${frames.toLocaleString('en')} two-byte messages, never reading\n`);
    const flood = await runTinyFlood({ frames });
    worstCases.push({
      id: 'tiny-flood',
      baselineRssMiB: flood.baselineRssBytes / MiB,
      peakRssMiB: flood.peakRssBytes / MiB,
      finalRssMiB: flood.finalRssBytes / MiB,
      boundMiB: (flood.baselineRssBytes + TINY_FLOOD_BOUND_BYTES) / MiB,
      held: flood.held,
      description: describeTinyFlood(flood),
    });
  }
  if (args.only === null || args.only.has('non-readers')) {
    const clients = args.quick ? 10 : 50;
    process.stdout.write(`  non-readers: ${String(clients)} clients that never read, default send-buffer cap and server-wide budget\n`);
    const nonReaders = await runSlowConsumers({ clients, maxBufferedBytes: DEFAULTS.maxBufferedBytes, timeoutMs: 90_000 });
    worstCases.push({
      id: 'non-readers',
      baselineRssMiB: nonReaders.baselineRssBytes / MiB,
      peakRssMiB: nonReaders.peakRssBytes / MiB,
      finalRssMiB: nonReaders.finalRssBytes / MiB,
      boundMiB: (nonReaders.baselineRssBytes + nonReaders.boundBytes) / MiB,
      held: nonReaders.peakRssBytes - nonReaders.baselineRssBytes <= nonReaders.boundBytes,
      description: describeSlowConsumers(nonReaders),
    });
  }
} finally {
  await Promise.all(workers.map((worker) => worker.terminate()));
}

const profiles: Record<string, string[]> = {};
if (args.profile) {
  for (const scenario of scenarios) {
    for (const run of scenario.runs) {
      if (run.profile === null || run.round !== 1) continue;
      profiles[`${scenario.id} ${run.target}`] = formatProfile(await summarizeProfile(run.profile, 12));
    }
  }
}

const report = {
  kind: 'socketbook-server-bench',
  version: 1,
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  commit: gitCommit(),
  quick: args.quick,
  machine: { ...machine, loadAverageAtEnd: Number((loadavg()[0] ?? 0).toFixed(2)) },
  settings,
  scenarios,
  clusterFanout,
  slowConsumers,
  classroom,
  worstCases,
  profiles,
  notes: globalNotes,
};
await mkdir(args.outDir, { recursive: true });
const jsonPath = join(args.outDir, `server-${stamp}.json`);
await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
await writeFile(join(args.outDir, 'server-latest.json'), `${JSON.stringify(report, null, 2)}\n`);

if (scenarios.length > 0) console.log(`\n${serverTable(scenarios)}\n`);
if (clusterFanout !== null) console.log(clusterFanout.skipped === null ? `${clusterFanoutTable(clusterFanout)}\n` : `${clusterFanoutSkipLine()}\n`);
if (slowConsumers !== null) console.log(`Slow consumers on /ws/backpressure:\n  ${slowConsumers.description.split('\n').join('\n  ')}\n`);
if (classroom !== null) console.log(`Class mode (bench/classroom.ts):\n  ${describeClassroomBench(classroom).split('\n').join('\n  ')}\n`);
for (const worst of worstCases) console.log(`Worst case ${worst.id}:\n  ${worst.description.split('\n').join('\n  ')}\n`);
for (const scenario of scenarios) for (const note of scenario.notes) console.log(`note (${scenario.id}): ${note}`);
for (const note of clusterFanout?.notes ?? []) console.log(`note (${CLUSTER_FANOUT_ID}): ${note}`);
for (const note of globalNotes) console.log(`note: ${note}`);
for (const [name, lines] of Object.entries(profiles)) console.log(`\nCPU profile, ${name}:\n  ${lines.join('\n  ')}`);
const missed = scenarios.flatMap((scenario) => scenario.budgets.filter((budget) => !budget.met).map((budget) => `${scenario.id} ${budget.metric} ${budget.rule}`));
for (const budget of clusterFanout?.budgets ?? []) if (!budget.met) missed.push(`${CLUSTER_FANOUT_ID} ${budget.layout} ${budget.metric}`);
if (slowConsumers !== null && !slowConsumers.held) missed.push('slow-consumers RSS bound');
if (classroom !== null && classroom.eventsAcknowledged !== classroom.eventsSent) missed.push('classroom: every event acknowledged');
for (const worst of worstCases) if (!worst.held) missed.push(`${worst.id} RSS bound`);
console.log(`\nBudgets: ${missed.length === 0 ? 'all met' : `missed: ${missed.join(', ')}`}.  JSON: ${jsonPath}`);
