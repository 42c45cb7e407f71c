import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { ClientOptions } from 'ws';
import { ChatConnection } from '../../client/chat-connection.ts';
import { freePort, startInstance, startNginx, startRedis, type Running } from '../../demo-server/cluster/processes.ts';
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
  readonly instances: readonly Running[];
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
  const clients: ChatConnection[] = [];
  const inspectors: Redis[] = [];
  const stop = async () => {
    for (const client of clients.splice(0)) client.socket.terminate();
    for (const inspector of inspectors.splice(0)) inspector.disconnect();
    for (const each of [...running].reverse()) await each.stop('SIGTERM', 2_000).catch(() => undefined);
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
      ...(options.args ?? []),
    ];
    const instances: Running[] = [];
    for (let index = 0; index < (options.instances ?? 2); index++) {
      const instance = await startInstance({ port: 0, redisUrl, args: ['--site', join(dir, 'no-site'), ...args], name: `demo-${String(index + 1)}` });
      running.push(instance);
      instances.push(instance);
    }
    const proxy =
      options.proxy === true
        ? await startNginx(
            dir,
            await freePort(),
            instances.map((each) => each.port),
          )
        : null;
    if (proxy !== null) running.push(proxy);
    const wsUrl = (target: Target): string => {
      const port = target === 'proxy' ? proxy?.port : instances[target]?.port;
      if (port === undefined) throw new Error(`no ${String(target)} in this cluster`);
      return `ws://127.0.0.1:${String(port)}`;
    };
    return {
      get redis() {
        return redis;
      },
      redisUrl,
      instances,
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
      output: () => running.map((each) => `--- ${each.name}\n${each.output()}`).join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
