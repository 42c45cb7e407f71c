import { startTarget, type RunningTarget } from '../../bench/targets.ts';

/** A demo server (demo-server/main.ts) in its own process, so its RSS is its own. */
export interface ServerProcess {
  readonly port: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** Its standard error so far, line by line. */
  readonly stderr: readonly string[];
  /** Whether the process has exited (it crashed, if `stop()` was not called). */
  hasExited(): boolean;
  /** The server's resident memory now, from /proc/<pid>/status (Linux only). */
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts `node [nodeArgs] demo-server/main.ts --port 0 [args]` the way the
 * benchmarks do (`startTarget()` in bench/targets.ts) and resolves once it
 * listens. Always `stop()` it.
 */
export async function startServerProcess(args: readonly string[] = [], nodeArgs: readonly string[] = []): Promise<ServerProcess> {
  const target: RunningTarget = await startTarget(
    { name: 'socketbook', script: 'demo-server/main.ts', args: ['--port', '0', ...args] },
    { openFileLimit: null, profileDir: null, nodeArgs },
  );
  return {
    port: target.port,
    httpUrl: target.httpOrigin,
    wsUrl: target.wsOrigin,
    stderr: target.stderr,
    hasExited: () => target.hasExited(),
    rssBytes: () => target.residentBytes(),
    stop: () => target.stop(1_000),
  };
}

/**
 * A class-mode server process (`--classroom --data-dir <dataDir>`) serving the
 * built site in `siteDir`; `port` 0 picks one, a number reuses the previous
 * server's after a restart.
 */
export function startClassServer(dataDir: string, siteDir: string, port = 0): Promise<RunningTarget> {
  return startTarget(
    { name: 'socketbook', script: 'demo-server/main.ts', args: ['--port', String(port), '--classroom', '--data-dir', dataDir, '--site', siteDir, '--attacker-port', '0'] },
    { openFileLimit: null, profileDir: null },
  );
}
