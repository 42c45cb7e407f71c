import { residentBytes } from '../../bench/system.ts';
import { startNodeProcess, type WatchedProcess } from './child-process.ts';

/** A demo server (demo-server/main.ts) in its own process, so its RSS is its own. */
export interface ServerProcess {
  readonly process: WatchedProcess;
  readonly port: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** The server's resident memory now, from /proc/<pid>/status (Linux only). */
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts `node [nodeArgs] demo-server/main.ts --port 0 [args]` and resolves
 * once it prints where it listens. Always `stop()` it.
 */
export async function startServerProcess(args: readonly string[] = [], nodeArgs: readonly string[] = []): Promise<ServerProcess> {
  const [script, ...rest]: string[] = [...nodeArgs, 'demo-server/main.ts'];
  const watched = startNodeProcess(script ?? 'demo-server/main.ts', [...rest, '--port', '0', ...args]);
  const deadline = Date.now() + 15_000;
  let port = 0;
  while (port === 0) {
    const line = watched.stdout.find((each) => /running at http:\/\/localhost:\d+\//.test(each));
    if (line !== undefined) port = Number(/localhost:(\d+)/.exec(line)?.[1]);
    else if (watched.child.exitCode !== null || Date.now() > deadline) {
      await watched.kill();
      throw new Error(`the server did not start:\n${[...watched.stdout, ...watched.stderr].join('\n')}`);
    } else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const pid = watched.child.pid ?? 0;
  return {
    process: watched,
    port,
    httpUrl: `http://127.0.0.1:${String(port)}`,
    wsUrl: `ws://127.0.0.1:${String(port)}`,
    rssBytes: () => residentBytes(pid),
    stop: () => watched.kill(),
  };
}
