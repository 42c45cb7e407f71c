/**
 * What the benchmark reads from the operating system: a process's resident
 * memory, the open-file limit that caps idle connections, and a description
 * of the machine for the report.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';

/** Resident set size of process `pid` in bytes, from `VmRSS` in /proc/<pid>/status (Linux). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS in /proc/${String(pid)}/status`);
  return Number(match[1]) * 1024;
}

/**
 * CPU time process `pid` has used so far (user + system, all threads), in
 * milliseconds, from /proc/<pid>/stat. The kernel counts in clock ticks
 * (10 ms here), so read it over seconds, not milliseconds.
 */
export async function cpuTimeMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_CLOCK_TICK;
}

/** `getconf CLK_TCK` is 100 on Linux for every architecture Node runs on. */
const MS_PER_CLOCK_TICK = 10;

export interface OpenFileLimit {
  /** What a process may open now (`ulimit -n`). */
  readonly soft: number;
  /** How far an unprivileged process may raise `soft` (`ulimit -Hn`). */
  readonly hard: number;
}

/** This process's open-file limit, from /proc/self/limits; `Infinity` for "unlimited". */
export async function openFileLimit(): Promise<OpenFileLimit> {
  const limits = await readFile('/proc/self/limits', 'utf8');
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  if (match === null) throw new Error('no "Max open files" line in /proc/self/limits');
  const read = (text: string | undefined) => (text === 'unlimited' ? Infinity : Number(text));
  return { soft: read(match[1]), hard: read(match[2]) };
}

export interface MachineDescription {
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  /** 1-minute load average when the run started: above `cores`, other work competed for the CPU. */
  readonly loadAverageAtStart: number;
}

export function describeMachine(): MachineDescription {
  const processors = cpus();
  return {
    node: process.version,
    cpu: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: Number((loadavg()[0] ?? 0).toFixed(2)),
  };
}

/** Milliseconds on the machine-wide monotonic clock: comparable across threads and processes, unlike `performance.now()`. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** The commit the benchmark ran on, short, with ` (modified)` when tracked files had changes. */
export function gitCommit(): string {
  const result = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).stdout.trim() !== '';
  return `${result.stdout.trim() || 'unknown'}${dirty ? ' (modified)' : ''}`;
}
