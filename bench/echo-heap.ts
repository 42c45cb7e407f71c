/**
 * `npm run bench:echo-heap`: why a 16 KiB echo costs the demo server more
 * CPU than bare `ws` (issue 23). Runs the echo-16k load of `npm run bench`
 * against each server with `--trace-gc`, rounds alternating which goes
 * first, and reports per server, same run: CPU per echo, full collections
 * (Mark-Compact) and scavenges in the measured window with their pauses,
 * the live heap after each full collection, and (`--snapshots`, first round)
 * a heap snapshot after start and one during the echo, summarized by
 * bench/heap-summary.ts.
 *
 *   node bench/echo-heap.ts [--rounds 3] [--payload 16384] [--snapshots] [--control [--control-import <module>]] [--before <checkout>] [--out bench-results/echo-heap]
 *
 * `--before <checkout>` adds the demo server of another checkout (an
 * earlier commit), so before and after are measured in the same run.
 * `--control` adds bare `ws` run with the demo server's modules preloaded
 * (`--import demo-server/http/server.ts`): the same echo code with the
 * demo server's heap beside it; `--control-import` preloads another module
 * instead (a path, or `data:text/javascript,import 'node:sqlite';`), to
 * find which import changes the collector's behaviour.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatHeap, summarizeHeapFile, type HeapSummary } from './heap-summary.ts';
import { LoadWorker, spread } from './load.ts';
import type { ThroughputResult } from './load-protocol.ts';
import { markdownTable, median } from './report.ts';
import { serverCpuBetween } from './scenarios.ts';
import { FULL_SETTINGS } from './settings.ts';
import { describeMachine, monotonicMs, sleep } from './system.ts';
import { killAllTargets, referenceTarget, socketbookTarget, startTarget, type RunningTarget, type TargetSpec } from './targets.ts';

interface Variant {
  readonly label: string;
  readonly spec: TargetSpec;
  readonly nodeArgs: readonly string[];
  readonly path: string;
}

/** One Mark-Compact or Scavenge line of `--trace-gc`. */
interface GcEvent {
  readonly kind: 'full' | 'young';
  /** Heap size after the collection, MB: for a full one, the live heap. */
  readonly afterMb: number;
  readonly pauseMs: number;
  /** Incremental marking done before the final pause (full collections only), ms. */
  readonly markingMs: number;
}

interface RunResult {
  readonly label: string;
  readonly round: number;
  readonly echoesPerSecond: number;
  readonly cpuMicrosPerEcho: number;
  readonly fullGcs: number;
  readonly fullGcPauseMs: number;
  readonly fullGcMarkingMs: number;
  readonly youngGcs: number;
  readonly youngGcPauseMs: number;
  readonly liveHeapMb: number;
}

// `[pid:0x…]  1234 ms: Mark-Compact 14.2 (19.8) -> 12.1 (19.3) MB, pooled: 0 MB, 3.10 / 0.00 ms  (+ 1.2 ms in 10 steps …`
const GC_LINE = /ms: (Scavenge|Minor Mark-Sweep|Mark-Compact(?: \(reduce\))?) [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms(?:\s+\(\+ ([\d.]+) ms in)?/;

export function parseGcLine(line: string): GcEvent | null {
  const match = GC_LINE.exec(line);
  if (match === null) return null;
  return {
    kind: (match[1] ?? '').startsWith('Mark-Compact') ? 'full' : 'young',
    afterMb: Number(match[2]),
    pauseMs: Number(match[3]),
    markingMs: Number(match[4] ?? 0),
  };
}

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    payload: { type: 'string', default: String(16 * 1024) },
    snapshots: { type: 'boolean', default: false },
    control: { type: 'boolean', default: false },
    'control-import': { type: 'string', default: './demo-server/http/server.ts' },
    before: { type: 'string' },
    out: { type: 'string', default: 'bench-results/echo-heap' },
  },
  strict: true,
});
const rounds = Number(values.rounds);
const payloadBytes = Number(values.payload);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new TypeError(`--rounds must be a whole number from 1 to 20, got ${JSON.stringify(values.rounds)}`);
if (!Number.isInteger(payloadBytes) || payloadBytes < 1 || payloadBytes > 60_000) throw new TypeError(`--payload must be a whole number of bytes from 1 to 60000, got ${JSON.stringify(values.payload)}`);
const outDir = resolve(values.out);
const echo = FULL_SETTINGS.echo;

const variants: Variant[] = [
  { label: 'socketbook', spec: socketbookTarget(), nodeArgs: [], path: '/ws/echo' },
  { label: 'bare ws', spec: referenceTarget('reference-echo.ts'), nodeArgs: [], path: '/' },
];
if (values.before !== undefined) {
  // Another checkout of the demo server (e.g. `git archive <commit> demo-server src/shared package.json` with node_modules linked), run the same way.
  const before = socketbookTarget();
  variants.push({ label: 'socketbook before', spec: { ...before, script: join(resolve(values.before), before.script) }, nodeArgs: [], path: '/ws/echo' });
}
if (values.control) variants.push({ label: 'bare ws + demo modules', spec: referenceTarget('reference-echo.ts'), nodeArgs: ['--import', values['control-import']], path: '/' });

/** Asks `target` for a heap snapshot (SIGUSR2) and resolves with its path once written. */
async function snapshot(target: RunningTarget, folder: string): Promise<string> {
  const before = new Set(await readdir(folder));
  process.kill(target.pid, 'SIGUSR2');
  for (;;) {
    await sleep(250);
    const fresh = (await readdir(folder)).find((file) => file.endsWith('.heapsnapshot') && !before.has(file));
    if (fresh === undefined) continue;
    const path = join(folder, fresh);
    // Written in one pass and ends with the strings table's closing brackets.
    const size = (await stat(path)).size;
    const text = await readFile(path, 'utf8');
    if (size > 0 && text.trimEnd().endsWith(']}')) return path;
  }
}

function echoLoad(workers: readonly LoadWorker[], url: string, startAtMs: number, warmupMs: number, durationMs: number): Promise<ThroughputResult[]> {
  return spread(workers, echo.clients, (worker, clients) =>
    worker.run<ThroughputResult>({ type: 'echo-throughput', url, clients, inFlight: echo.inFlight, payloadBytes, startAtMs, warmupMs, durationMs }),
  );
}

async function runOnce(variant: Variant, round: number, workers: readonly LoadWorker[]): Promise<{ result: RunResult; snapshots: Record<string, HeapSummary> }> {
  const takeSnapshots = values.snapshots && round === 1;
  const folder = join(outDir, `${variant.label.replace(/\W+/g, '-')}-round${String(round)}`);
  await mkdir(folder, { recursive: true });
  const nodeArgs = ['--trace-gc', ...variant.nodeArgs, ...(takeSnapshots ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${folder}`] : [])];
  const target = await startTarget(variant.spec, { openFileLimit: null, profileDir: null, nodeArgs });
  const snapshots: Record<string, HeapSummary> = {};
  try {
    const url = `${target.wsOrigin}${variant.path}`;
    if (takeSnapshots) {
      await sleep(1_000);
      snapshots['after start'] = await summarizeHeapFile(await snapshot(target, folder));
    }
    const startAtMs = monotonicMs() + 300;
    const measureFrom = startAtMs + echo.warmupMs;
    const measureTo = measureFrom + echo.durationMs;
    const cpu = serverCpuBetween(target, measureFrom, measureTo);
    const linesAt = (atMs: number) => sleep(atMs - monotonicMs()).then(() => target.stdout.length);
    const window = Promise.all([linesAt(measureFrom), linesAt(measureTo)]);
    const results = await echoLoad(workers, url, startAtMs, echo.warmupMs, echo.durationMs);
    const [fromLine, toLine] = await window;
    const cpuMs = await cpu;
    const echoesPerSecond = results.reduce((sum, part) => sum + (part.messages * 1000) / part.elapsedMs, 0);
    for (const part of results) for (const error of part.errors) console.warn(`  ${variant.label}: ${error}`);
    const events = target.stdout.slice(fromLine, toLine).map(parseGcLine).filter((event) => event !== null);
    const full = events.filter((event) => event.kind === 'full');
    const young = events.filter((event) => event.kind === 'young');
    const sum = (list: readonly GcEvent[], field: 'pauseMs' | 'markingMs') => list.reduce((total, event) => total + event[field], 0);
    if (takeSnapshots) {
      // A second load, not measured: the snapshot stops the server for a while.
      const during = echoLoad(workers, url, monotonicMs() + 300, 0, 3_000);
      await sleep(1_800);
      snapshots['during echo'] = await summarizeHeapFile(await snapshot(target, folder));
      await during;
    }
    return {
      result: {
        label: variant.label,
        round,
        echoesPerSecond,
        cpuMicrosPerEcho: (1000 * cpuMs) / ((echoesPerSecond * echo.durationMs) / 1000),
        fullGcs: full.length,
        fullGcPauseMs: sum(full, 'pauseMs'),
        fullGcMarkingMs: sum(full, 'markingMs'),
        youngGcs: young.length,
        youngGcPauseMs: sum(young, 'pauseMs'),
        liveHeapMb: median(full.map((event) => event.afterMb)),
      },
      snapshots,
    };
  } finally {
    await target.stop();
    // The whole --trace-gc output, for reading the reasons V8 gives for each collection.
    await writeFile(join(folder, 'trace-gc.log'), `${target.stdout.join('\n')}\n`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAllTargets();
    process.exit(130);
  });
}

const machine = describeMachine();
console.log(
  `echo ${String(payloadBytes)} B, ${String(echo.clients)} clients × ${String(echo.inFlight)} in flight, ${String(echo.durationMs / 1000)} s measured; ${String(rounds)} round(s); Node ${machine.node}, ${String(machine.cores)} cores, load average ${String(machine.loadAverageAtStart)}`,
);
const workers = Array.from({ length: FULL_SETTINGS.workers }, () => new LoadWorker());
const runs: RunResult[] = [];
const snapshotsByVariant: Record<string, Record<string, HeapSummary>> = {};
try {
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? variants : [...variants].reverse();
    for (const variant of order) {
      const { result, snapshots } = await runOnce(variant, round, workers);
      runs.push(result);
      if (Object.keys(snapshots).length > 0) snapshotsByVariant[variant.label] = snapshots;
      console.log(
        `  round ${String(round)} ${variant.label.padEnd(24)} ${result.cpuMicrosPerEcho.toFixed(1)} µs/echo, ${String(result.fullGcs)} full GCs (${result.fullGcPauseMs.toFixed(0)} ms paused), ${String(result.youngGcs)} scavenges, live heap ${result.liveHeapMb.toFixed(1)} MB`,
      );
      await sleep(300);
    }
  }
} finally {
  await Promise.all(workers.map((worker) => worker.terminate()));
}

const reference = 'bare ws';
const medianOf = (label: string, field: keyof Omit<RunResult, 'label' | 'round'>) => median(runs.filter((run) => run.label === label).map((run) => run[field]));
const fields: [keyof Omit<RunResult, 'label' | 'round'>, string, number][] = [
  ['echoesPerSecond', 'echoes/s', 0],
  ['cpuMicrosPerEcho', 'server CPU per echo (µs)', 2],
  ['fullGcs', 'full GCs (Mark-Compact) in 4 s', 0],
  ['fullGcPauseMs', 'full GC pauses, total (ms)', 1],
  ['fullGcMarkingMs', 'incremental marking before them (ms)', 1],
  ['youngGcs', 'scavenges in 4 s', 0],
  ['youngGcPauseMs', 'scavenge pauses, total (ms)', 1],
  ['liveHeapMb', 'live heap after a full GC (MB)', 1],
];
const rows = fields.map(([field, label, digits]) => [
  label,
  ...variants.flatMap((variant) => {
    const value = medianOf(variant.label, field);
    const ratio = value / medianOf(reference, field);
    return [value.toFixed(digits), variant.label === reference || !Number.isFinite(ratio) ? '' : `${ratio.toFixed(2)}×`];
  }),
]);
console.log(`\nMedians of ${String(rounds)} round(s), same run:\n`);
console.log(markdownTable(['', ...variants.flatMap((variant) => [variant.label, variant.label === reference ? '' : 'ratio'])], rows));
for (const [label, snapshots] of Object.entries(snapshotsByVariant)) {
  for (const [when, summary] of Object.entries(snapshots)) console.log(`\nHeap snapshot, ${label}, ${when}:\n  ${formatHeap(summary).join('\n  ')}`);
}
