import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm run client -- …` (client/main.ts) with this Node, feeding `input` on stdin. */
export function runClient(args: readonly string[], input = '', timeoutMs = 15_000): Promise<CliResult> {
  return runScript('client/main.ts', args, input, timeoutMs);
}

/** Runs `npm run grade -- …` (grader/main.ts) with this Node. */
export function runGrader(args: readonly string[], timeoutMs = 30_000): Promise<CliResult> {
  return runScript('grader/main.ts', args, '', timeoutMs);
}

/** Runs a script of this repository with this Node, feeding `input` on stdin; killed after `timeoutMs`. */
async function runScript(script: string, args: readonly string[], input: string, timeoutMs: number): Promise<CliResult> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}
