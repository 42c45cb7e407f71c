import { spawnSync } from 'node:child_process';
import { vi } from 'vitest';
import { startNodeProcess, startProcess, type WatchedProcess } from './child-process.ts';

/**
 * A Python 3 that has `websockets` (Debian: python3-websockets), or `null`:
 * the first of `python3` on the PATH and the system's own.
 */
export function pythonWithWebsockets(): string | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    if (spawnSync(python, ['-c', 'import websockets'], { stdio: 'ignore' }).status === 0) return python;
  }
  return null;
}

/** Why a suite that runs the Python examples is skipped here, for the test output. */
export const NO_PYTHON_WEBSOCKETS = 'no python3 here has the websockets library: install python3-websockets (Debian) or `pip install websockets` to run the Python example';

/**
 * Starts an example server of `examples/` on a free port (Node, or Python
 * when `python` is given) and resolves with its ws:// address, read from its
 * first line. The caller kills the process.
 */
export async function startExample(script: string, python: string | null = null): Promise<{ process: WatchedProcess; url: string }> {
  const process = python === null ? startNodeProcess(script, ['0']) : startProcess(python, [script, '0']);
  try {
    const line = await vi.waitFor(
      () => {
        const found = process.stdout.find((text) => text.startsWith('listening on '));
        if (found === undefined) throw new Error(`${script} did not say it listens: ${[...process.stdout, ...process.stderr].join('\n')}`);
        return found;
      },
      { timeout: 10_000, interval: 50 },
    );
    const url = /ws:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0];
    if (url === undefined) throw new Error(`no address in ${JSON.stringify(line)}`);
    return { process, url };
  } catch (error) {
    await process.kill();
    throw error;
  }
}
