/**
 * The servers under test, each in its own child process on 127.0.0.1 and a
 * free port, run by the same Node as the benchmark (`process.execPath`), so
 * their memory is measurable from /proc and their CPU is not the load
 * generator's.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { cpuTimeMs, residentBytes } from './system.ts';

/** `socketbook` is the demo server; `ws` the bare reference for the scenario. */
/** `example`: a server students finish (examples/), which only `bench/grader.ts` runs. */
export type TargetName = 'socketbook' | 'ws' | 'example';

/** What a scenario runs against: the demo server (with some flags) or a reference script. */
export interface TargetSpec {
  readonly name: TargetName;
  /** Script relative to the repository, e.g. `demo-server/main.ts`. */
  readonly script: string;
  readonly args: readonly string[];
}

const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));

/**
 * The demo server as `npm start` runs it, silent (`--quiet`): a log line per
 * connection would be measured too. Every load client comes from 127.0.0.1,
 * so the per-address limits are lifted, as a teacher would for a big class behind one NAT.
 */
export function socketbookTarget(extraArgs: readonly string[] = []): TargetSpec {
  const oneAddress = ['--max-connections-per-address', '1000000', '--handshakes-per-second-per-address', '1000000'];
  return { name: 'socketbook', script: 'demo-server/main.ts', args: ['--port', '0', '--host', '127.0.0.1', '--quiet', ...oneAddress, ...extraArgs] };
}

/**
 * The demo server as `npm start` runs it (`--site dist`), in its own process
 * on a free port, logging (the benchmarks read its close lines), with `args`.
 */
export function startDemoServer(args: readonly string[], nodeArgs: readonly string[] = []): Promise<RunningTarget> {
  return startTarget({ name: 'socketbook', script: 'demo-server/main.ts', args: ['--port', '0', '--site', 'dist', ...args] }, { openFileLimit: null, profileDir: null, nodeArgs });
}

/** What `watchRss()` saw: the RSS when it started, and `stop()`, which takes a last sample and gives the peak. */
export interface RssWatch {
  readonly baselineBytes: number;
  stop(): Promise<number>;
}

/** Samples `target`'s resident memory every `everyMs` until `stop()` (or until the server exits). */
export async function watchRss(target: RunningTarget, everyMs: number): Promise<RssWatch> {
  const baselineBytes = await target.residentBytes();
  let peakBytes = baselineBytes;
  const sampler = setInterval(() => {
    if (target.hasExited()) clearInterval(sampler);
    else
      target.residentBytes().then(
        (rss) => {
          peakBytes = Math.max(peakBytes, rss);
        },
        () => undefined,
      );
  }, everyMs);
  return {
    baselineBytes,
    async stop() {
      clearInterval(sampler);
      peakBytes = Math.max(peakBytes, await target.residentBytes());
      return peakBytes;
    },
  };
}

export function referenceTarget(script: 'reference-echo.ts' | 'reference-broadcast.ts'): TargetSpec {
  return { name: 'ws', script: `bench/${script}`, args: ['--port', '0'] };
}

export interface StartOptions {
  /** Raise the child's soft open-file limit to this (through `sh -c 'ulimit -n'`); `null` leaves it. */
  readonly openFileLimit: number | null;
  /** Write a V8 CPU profile of the child into this folder (`--cpu-prof`); `null` for none. */
  readonly profileDir: string | null;
  /** Node's own flags for the child, e.g. `--max-old-space-size=256`. */
  readonly nodeArgs?: readonly string[];
}

export interface RunningTarget {
  readonly name: TargetName;
  readonly pid: number;
  /** `ws://127.0.0.1:PORT` */
  readonly wsOrigin: string;
  readonly httpOrigin: string;
  readonly port: number;
  /** The server's output so far, line by line (its log is on stdout). */
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  /** Whether the process has exited (a crash, when nothing stopped it). */
  hasExited(): boolean;
  residentBytes(): Promise<number>;
  /** CPU time the server has used so far, in ms (10 ms resolution). */
  cpuTimeMs(): Promise<number>;
  /** SIGTERM (which lets `--cpu-prof` write its file), then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Servers started and not yet exited, so an interrupted run can end them. */
const running = new Set<ChildProcessByStdio<null, Readable, Readable>>();

/** Kills every server this process started that is still running (for Ctrl+C). */
export function killAllTargets(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** The line each server prints once it listens: `…running at http://localhost:PORT/`, `…listening on http://127.0.0.1:PORT/` or an example's `listening on ws://127.0.0.1:PORT (…)`. */
const LISTENING = /(?:http|ws):\/\/(?:localhost|127\.0\.0\.1):(\d+)\b/;

/** Pushes each complete line of `stream` into `into` as it arrives. */
function collectLines(stream: Readable, into: string[], onLine: (line: string) => void = () => undefined): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      into.push(line);
      onLine(line);
    }
  });
  stream.once('end', () => {
    if (pending !== '') into.push(pending);
  });
}

/**
 * Starts `spec` and resolves once it listens; rejects with its output if it
 * exits first. The benchmarks and the tests that measure a server's own
 * memory (tests/helpers/server-process.ts) all start servers through it.
 */
export async function startTarget(spec: TargetSpec, options: StartOptions): Promise<RunningTarget> {
  const nodeArgs: string[] = [...(options.nodeArgs ?? [])];
  if (options.profileDir !== null) {
    await mkdir(options.profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', options.profileDir);
  }
  const command = [process.execPath, ...nodeArgs, spec.script, ...spec.args];
  const child: ChildProcessByStdio<null, Readable, Readable> =
    options.openFileLimit === null
      ? spawn(command[0] ?? '', command.slice(1), { cwd: REPOSITORY, stdio: ['ignore', 'pipe', 'pipe'] })
      : // exec keeps the pid: the RSS read from /proc is Node's, not the shell's.
        spawn('/bin/sh', ['-c', `ulimit -n ${String(options.openFileLimit)} && exec "$@"`, 'sh', ...command], { cwd: REPOSITORY, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const stdout: string[] = [];
  const stderr: string[] = [];
  collectLines(child.stderr, stderr);
  const port = await new Promise<number>((resolve, reject) => {
    collectLines(child.stdout, stdout, (line) => {
      const match = LISTENING.exec(line);
      if (match !== null) resolve(Number(match[1]));
    });
    child.once('exit', (code, signal) => {
      reject(new Error(`${spec.script} exited (${String(code ?? signal)}) before listening:\n${[...stdout, ...stderr].join('\n').slice(-2000)}`));
    });
  });
  const pid = child.pid ?? 0;
  return {
    name: spec.name,
    pid,
    wsOrigin: `ws://127.0.0.1:${String(port)}`,
    httpOrigin: `http://127.0.0.1:${String(port)}`,
    port,
    stdout,
    stderr,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
    residentBytes: () => residentBytes(pid),
    cpuTimeMs: () => cpuTimeMs(pid),
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
