import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { ClientOptions } from 'ws';
import { ChatConnection } from '../../client/chat-connection.ts';
import { freePort, startNginx, startRedis, type Running } from '../../demo-server/cluster/processes.ts';
import { CLUSTER_HANDSHAKE_LIMITS, clusterEnv, InstanceSlot, newClusterSecret, startClusterControl, type ClusterControl } from '../../demo-server/cluster/control.ts';
import { chatUrl } from '../../src/shared/protocol/chat.ts';

export interface ClusterOptions {
  /** demo-server processes sharing Redis (default 2). */
  readonly instances?: number;
  /** `--redis-member-ttl-ms` of every instance (default: the server's). */
  readonly memberTtlMs?: number;
  /** nginx in front of the instances, from the cluster's own template. */
  readonly proxy?: boolean;
  /** More flags for every instance. */
  readonly args?: readonly string[];
  /**
   * Chapter 11's admin actions, as `npm run cluster` sets them up: a control
   * server, a random secret in each instance's environment, and its higher
   * per-address handshake limits.
   */
  readonly admin?: boolean;
}

/** Which process a client connects to: an instance by index, or the proxy. */
export type Target = number | 'proxy';

/**
 * A local cluster as `npm run cluster` starts it, with the same helpers
 * (demo-server/cluster/processes.ts): real redis-server, demo-server
 * instances on free ports and optionally nginx, in a temporary folder.
 */
export interface TestCluster {
  readonly redis: Running;
  readonly redisUrl: string;
  /** The instances' current processes (a slot stopped by an admin action keeps its last one). */
  readonly instances: readonly Running[];
  /** The instances as the admin actions see them (stop, start again). */
  readonly slots: readonly InstanceSlot[];
  /** The cluster's secret (`admin: true`), else `null`. */
  readonly secret: string | null;
  readonly proxy: Running | null;
  /** `ws://127.0.0.1:<port>` of an instance or the proxy. */
  wsUrl(target: Target): string;
  /** A chat connection (terminated with the cluster). */
  chat(target: Target, room: string, resume?: Parameters<typeof chatUrl>[2], options?: ClientOptions): Promise<ChatConnection>;
  /** A Redis client to look at what the brokers wrote or published (closed with the cluster). */
  inspect(): Redis;
  /** Stops redis-server (SIGTERM); the instances keep running and retry. */
  stopRedis(): Promise<void>;
  /** Starts a new, empty redis-server on the same port (what a restart without persistence gives). */
  startRedisAgain(): Promise<void>;
  /** Everything every process printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'socketbook-system-'));
  const running: Running[] = [];
  const slots: InstanceSlot[] = [];
  let control: ClusterControl | null = null;
  const clients: ChatConnection[] = [];
  const inspectors: Redis[] = [];
  const stop = async () => {
    for (const client of clients.splice(0)) client.socket.terminate();
    for (const inspector of inspectors.splice(0)) inspector.disconnect();
    for (const slot of slots) await slot.running?.stop('SIGTERM', 2_000).catch(() => undefined);
    for (const each of [...running].reverse()) await each.stop('SIGTERM', 2_000).catch(() => undefined);
    await control?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    let redis = await startRedis(dir);
    running.push(redis);
    const redisUrl = `redis://127.0.0.1:${String(redis.port)}`;
    const args = [
      ...(options.memberTtlMs === undefined ? [] : ['--redis-member-ttl-ms', String(options.memberTtlMs)]),
      // As npm run cluster does: nginx's X-Forwarded-For names the client.
      ...(options.proxy === true ? ['--trusted-proxies', '127.0.0.1'] : []),
      ...(options.admin === true ? CLUSTER_HANDSHAKE_LIMITS : []),
      ...(options.args ?? []),
    ];
    const secret = options.admin === true ? newClusterSecret() : null;
    let proxy: Running | null = null;
    if (secret !== null) control = await startClusterControl({ secret, instances: slots, proxyPort: () => proxy?.port ?? null });
    for (let index = 0; index < (options.instances ?? 2); index++) {
      const name = `demo-${String(index + 1)}`;
      const env = control === null || secret === null ? {} : clusterEnv(secret, control.url, name);
      slots.push(await InstanceSlot.start({ port: 0, redisUrl, args: ['--site', join(dir, 'no-site'), ...args], name, env }));
    }
    const current = (): Running[] => slots.flatMap((slot) => (slot.running === null ? [] : [slot.running]));
    if (options.proxy === true) {
      proxy = await startNginx(
        dir,
        await freePort(),
        slots.map((each) => each.port),
      );
      running.push(proxy);
    }
    const wsUrl = (target: Target): string => {
      const port = target === 'proxy' ? proxy?.port : slots[target]?.port;
      if (port === undefined) throw new Error(`no ${String(target)} in this cluster`);
      return `ws://127.0.0.1:${String(port)}`;
    };
    return {
      get redis() {
        return redis;
      },
      redisUrl,
      get instances() {
        return current();
      },
      slots,
      secret,
      proxy,
      wsUrl,
      async chat(target, room, resume = {}, clientOptions = {}) {
        const connection = await ChatConnection.open(chatUrl(wsUrl(target), room, resume), clientOptions);
        clients.push(connection);
        return connection;
      },
      inspect() {
        const inspector = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
        inspectors.push(inspector);
        return inspector;
      },
      async stopRedis() {
        await redis.stop();
      },
      async startRedisAgain() {
        running.splice(running.indexOf(redis), 1);
        redis = await startRedis(dir, redis.port);
        running.unshift(redis);
      },
      output: () => [...running, ...current()].map((each) => `--- ${each.name}\n${each.output()}`).join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
