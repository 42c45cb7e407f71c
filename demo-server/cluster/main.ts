/**
 * `npm run cluster`: a local Redis, N demo-server instances sharing rooms
 * through it on consecutive ports, and nginx in front when it is installed.
 * Everything runs in the foreground; Ctrl+C (SIGINT) or SIGTERM stops every
 * process and removes the temporary folder.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { requireBoundedInteger } from '../../src/shared/bounded-integer.ts';
import { onPath, REDIS_MISSING, startNginx, startRedis, type Running } from './processes.ts';
import { CLUSTER_HANDSHAKE_LIMITS, clusterEnv, InstanceSlot, newClusterSecret, startClusterControl, type ClusterControl } from './control.ts';

const USAGE = `Usage: npm run cluster -- [options]

Starts redis-server, N demo-server instances sharing chat rooms through it,
and nginx in front of them when nginx is installed. Ctrl+C stops them all.

Options:
  --instances <n>   demo-server instances (default 2)
  --port <n>        nginx's port (default 8080); instances listen on the
                    next ones (8081, 8082, …)
  --site <folder>   built site the instances serve (default dist/)
  --redis-member-ttl-ms <n>
                    how long a dead instance's members stay listed (default 10000)
  --help            show this help
`;

let values;
try {
  values = parseArgs({
    options: {
      instances: { type: 'string', default: '2' },
      port: { type: 'string', default: '8080' },
      site: { type: 'string', default: 'dist' },
      'redis-member-ttl-ms': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
let instances: number;
let basePort: number;
try {
  instances = requireBoundedInteger({ name: '--instances', min: 1, max: 16 }, values.instances);
  basePort = requireBoundedInteger({ name: '--port', min: 1, max: 65_535 - instances }, values.port);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
if (!onPath('redis-server')) {
  console.error(REDIS_MISSING);
  process.exit(1);
}
const site = resolve(values.site);
if (!existsSync(site)) console.log(`No built site in ${site}: the WebSocket endpoints work, pages answer 404 (npm run build first).`);

const dir = await mkdtemp(join(tmpdir(), 'socketbook-cluster-'));
/** Redis and nginx; the instances are in `slots` (chapter 11's labs may stop and start them). */
const running: Running[] = [];
const slots: InstanceSlot[] = [];
let control: ClusterControl | null = null;
let stopping = false;

/** Prints a child's lines under its name, as `docker compose` does. */
const prefixed = (name: string) => (line: string) => {
  console.log(`${name.padEnd(8)}| ${line}`);
};

async function stopAll(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    // The instances first, so their clients get a close frame (1001) through the proxy
    // (stopping nginx first cut them all with 1006) and their seats are left in Redis; Redis last.
    for (const slot of slots) await slot.stop().catch(() => undefined);
    for (const each of [...running].reverse()) await each.stop().catch(() => undefined);
    await control?.close();
    await rm(dir, { recursive: true, force: true });
  }
  process.exit(exitCode);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  const redis = await startRedis(dir, 0, null);
  running.push(redis);
  const redisUrl = `redis://127.0.0.1:${String(redis.port)}`;
  console.log(`redis    | ${redisUrl} (in memory, files in ${dir})`);
  const withProxy = onPath('nginx');
  const instanceArgs = [
    '--site',
    site,
    ...(values['redis-member-ttl-ms'] === undefined ? [] : ['--redis-member-ttl-ms', values['redis-member-ttl-ms']]),
    // nginx connects from 127.0.0.1 and names each client in X-Forwarded-For: the per-address limits count clients, not the proxy.
    ...(withProxy ? ['--trusted-proxies', '127.0.0.1'] : []),
    ...CLUSTER_HANDSHAKE_LIMITS,
  ];
  // Chapter 11's labs stop, start and drain instances through this control server, with a secret made for this run.
  const secret = newClusterSecret();
  let proxy: Running | null = null;
  control = await startClusterControl({ secret, instances: slots, proxyPort: () => proxy?.port ?? null, log: prefixed('control') });
  const ports: number[] = [];
  for (let index = 0; index < instances; index++) {
    const name = `demo-${String(index + 1)}`;
    const onExit = (instance: Running) =>
      instance.child.once('exit', (code, signal) => {
        if (!stopping) console.log(`${name.padEnd(8)}| exited (${signal ?? String(code)})`);
      });
    const slot = await InstanceSlot.start({ port: basePort + 1 + index, redisUrl, args: instanceArgs, name, onLine: prefixed(name), env: clusterEnv(secret, control.url, name) }, onExit);
    slots.push(slot);
    ports.push(slot.port);
  }
  if (withProxy) {
    proxy = await startNginx(dir, basePort, ports, prefixed('nginx'));
    running.push(proxy);
  }
  for (const each of running) {
    each.child.once('exit', (code, signal) => {
      if (stopping) return;
      console.log(`${each.name.padEnd(8)}| exited (${signal ?? String(code)})`);
      // Without Redis or the proxy the cluster is no use.
      void stopAll(1);
    });
  }
  console.log('');
  if (proxy !== null) console.log(`Socketbook cluster: http://localhost:${String(basePort)}/ (nginx, round robin over ${String(instances)} instances)`);
  else console.log('nginx not found (apt-get install nginx): connect to the instances directly.');
  for (const port of ports) console.log(`  instance: http://localhost:${String(port)}/`);
  console.log("Chapter 11's labs can stop, start and drain these instances from a page of this cluster opened on this machine.");
  console.log('Press Ctrl+C to stop everything.');
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  await stopAll(1);
}
