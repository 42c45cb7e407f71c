import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** A child process whose output is collected line by line as it arrives. */
export interface WatchedProcess {
  readonly child: ChildProcess;
  /** Lines of standard output so far. */
  readonly stdout: string[];
  /** Lines of standard error so far. */
  readonly stderr: string[];
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string | null>;
  /** Sends SIGCONT (in case it was stopped) then SIGKILL, unless it already exited. */
  kill(): Promise<void>;
}

function splitLines(stream: NodeJS.ReadableStream | null, into: string[]): void {
  let partial = '';
  stream?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    into.push(...lines);
  });
}

/** Starts `node <script> …args` with this Node (24) in the repository folder. */
export function startNodeProcess(script: string, args: readonly string[]): WatchedProcess {
  return startProcess(process.execPath, [script, ...args]);
}

/** Starts `command …args` in the repository folder, e.g. an example server in another language. */
export function startProcess(command: string, args: readonly string[]): WatchedProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  splitLines(child.stdout, stdout);
  splitLines(child.stderr, stderr);
  const exited = once(child, 'exit').then(([code, signal]) => (code as number | null) ?? (signal as string | null));
  return {
    child,
    stdout,
    stderr,
    exited,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
