/**
 * The processes of a local cluster, each started in the foreground and
 * stopped on demand: redis-server, demo-server instances and nginx. Used by
 * `npm run cluster` and by the system tests, so both run the same commands.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { DEFAULTS } from '../options.ts';

/** A child process with the port it listens on. */
export interface Running {
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
  /** Everything it printed so far (stdout and stderr), for tests and error messages. */
  output(): string;
  /** SIGTERM (or `signal`), then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** How long a process may take to say it is listening. */
const START_TIMEOUT_MS = 20_000;

/** Whether `command` is on PATH. */
export function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** A port that was free a moment ago (the kernel's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

/** A started process as `Running`: `stop()` sends `signal`, then SIGKILL after `graceMs`. */
function runningProcess(name: string, child: ChildProcess, port: number, output: () => string, exited: Promise<void>): Running {
  return {
    name,
    child,
    port,
    output,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 3_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Spawns `command` and waits until its output matches `ready` (whose first
 * group, if any, is the port); fails with its output if it exits first.
 * `onLine` sees every line, e.g. to print it with a prefix.
 */
function start(name: string, command: string, args: string[], ready: RegExp, port: number, onLine: ((line: string) => void) | null, env: Readonly<Record<string, string>> = {}): Promise<Running> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let text = '';
  let pending = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const running = (listening: number): Running => runningProcess(name, child, listening, () => text, exited);
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${name} did not start within ${String(START_TIMEOUT_MS)} ms:\n${text}`));
    }, START_TIMEOUT_MS);
    const read = (chunk: Buffer) => {
      text += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine?.(line);
      const match = ready.exec(text);
      if (match !== null) {
        clearTimeout(timer);
        done(running(match[1] === undefined ? port : Number(match[1])));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(new Error(`${name} could not start: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`${name} exited (${signal ?? String(code)}) before it was ready:\n${text}`));
    });
  });
}

/** One-line reason when redis-server is missing, as `npm run cluster` prints it. */
export const REDIS_MISSING = 'redis-server not found: apt-get install redis-server';

/** redis-server on `port` (0: a free one), in memory only, its working files in `dir`. */
export async function startRedis(dir: string, port = 0, onLine: ((line: string) => void) | null = null): Promise<Running> {
  if (!onPath('redis-server')) throw new Error(REDIS_MISSING);
  const listen = port === 0 ? await freePort() : port;
  const args = ['--port', String(listen), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'];
  return start('redis', 'redis-server', args, /Ready to accept connections/, listen, onLine);
}

export interface InstanceOptions {
  /** 0: the kernel picks one, read back from the server's first line. */
  readonly port: number;
  readonly redisUrl: string | null;
  /** More flags for demo-server/main.ts, e.g. `--redis-member-ttl-ms 2000`. */
  readonly args?: readonly string[];
  readonly name?: string;
  readonly onLine?: ((line: string) => void) | null;
  /** More environment variables, e.g. the cluster's admin secret (demo-server/http/cluster-admin.ts). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A demo-server process (`demo-server/main.ts` on this Node), sharing rooms through `redisUrl` when given. */
export function startInstance(options: InstanceOptions): Promise<Running> {
  const main = resolve(import.meta.dirname, '..', 'main.ts');
  // No attacker page (chapter 10): its default port, the instance's + 1, is the next instance's.
  const args = [main, '--port', String(options.port), '--attacker-port', '0', ...(options.redisUrl === null ? [] : ['--redis', options.redisUrl]), ...(options.args ?? [])];
  return start(options.name ?? 'instance', process.execPath, args, /running at http:\/\/localhost:(\d+)\//, options.port, options.onLine ?? null, options.env);
}

/**
 * nginx's `proxy_read_timeout`, in seconds: twice the server's ping interval
 * and a margin, so a connection whose only traffic is the server's pings is
 * never cut by the proxy as idle.
 */
export const PROXY_READ_TIMEOUT_SECONDS = Math.ceil((2 * DEFAULTS.heartbeatIntervalMs) / 1000) + 5;

/** The template the chapter shows, with its `{{…}}` placeholders. */
export const NGINX_TEMPLATE = resolve(import.meta.dirname, 'nginx.conf.template');

/** The config for `port` in front of `upstreamPorts`, its temporary files in `dir`. */
export async function nginxConfig(dir: string, port: number, upstreamPorts: readonly number[]): Promise<string> {
  const template = await readFile(NGINX_TEMPLATE, 'utf8');
  const values: Record<string, string> = {
    DIR: dir,
    LISTEN_PORT: String(port),
    UPSTREAM_SERVERS: upstreamPorts.map((each) => `server 127.0.0.1:${String(each)};`).join('\n    '),
    PROXY_READ_TIMEOUT: `${String(PROXY_READ_TIMEOUT_SECONDS)}s`,
  };
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, key: string) => values[key] ?? whole);
}

/** nginx in the foreground (`daemon off`) on `port`, proxying to `upstreamPorts`; its config and files in `dir`. */
export async function startNginx(dir: string, port: number, upstreamPorts: readonly number[], onLine: ((line: string) => void) | null = null): Promise<Running> {
  const config = join(dir, 'nginx.conf');
  await writeFile(config, await nginxConfig(dir, port, upstreamPorts));
  // `nginx -t` first: a bad config is reported as nginx words it, not as a port that never opens.
  const test = spawnSync('nginx', ['-p', dir, '-c', config, '-e', 'stderr', '-t'], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx config is invalid:\n${test.stderr}`);
  return startQuiet('nginx', 'nginx', ['-p', dir, '-c', config, '-e', 'stderr'], port, onLine);
}

/** Spawns a server that prints nothing when ready, and waits until `port` accepts connections. */
async function startQuiet(name: string, command: string, args: string[], port: number, onLine: ((line: string) => void) | null): Promise<Running> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const line of chunk.toString().split('\n')) if (line !== '') onLine?.(line);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${String(child.exitCode)}) before it was ready:\n${text}`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not listen on ${String(port)} within ${String(START_TIMEOUT_MS)} ms:\n${text}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  return runningProcess(name, child, port, () => text, exited);
}
