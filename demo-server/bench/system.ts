/**
 * What the benchmark reads from the operating system: a process's resident
 * memory, the open-file limit that caps idle connections, and a description
 * of the machine for the report.
 */
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';

/** Resident set size of process `pid` in bytes, from `VmRSS` in /proc/<pid>/status (Linux). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS in /proc/${String(pid)}/status`);
  return Number(match[1]) * 1024;
}

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
