import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatConnection } from '../../client/chat-connection.ts';
import { startInstance, type Running } from '../../demo-server/cluster/processes.ts';
import { chatUrl } from '../../src/shared/protocol/chat.ts';
import { startCluster, type TestCluster } from '../helpers/cluster.ts';
import { lacks } from './servers.ts';

/** Chapter 11's split room, as a reader sees it with two panes on two instances. */
interface TwoPanes {
  readonly a: ChatConnection;
  readonly b: ChatConnection;
}

async function healthOf(port: number): Promise<{ chatBroker?: string }> {
  return (await (await fetch(`http://127.0.0.1:${String(port)}/healthz`)).json()) as { chatBroker?: string };
}

/**
 * A posts, then B posts once A's message is logged (acked). If the two are
 * one room, B's instance has A's message before B's own: every instance
 * receives a room's events in the order they were logged. So once B has
 * its own message back, whether A's came first is settled, with no sleep.
 */
async function talk({ a, b }: TwoPanes, shared: boolean): Promise<{ aSaw: string[]; bSaw: string[]; ids: { a: number; b: number } }> {
  a.send({ type: 'say', clientId: 'from-a', text: 'hello from A' });
  const fromA = await a.next('ack');
  b.send({ type: 'say', clientId: 'from-b', text: 'hello from B' });
  const fromB = await b.next('ack');
  const texts = (pane: ChatConnection) => pane.received.flatMap((message) => (message.type === 'message' ? [message.text] : []));
  // Each pane waits for its own message back and, in a shared room, for the other's too (it
  // crosses Redis, so it may come after the ack); a split room never delivers the other's.
  for (const [pane, own] of [[a, 'hello from A'], [b, 'hello from B']] as const) {
    for (const text of shared ? ['hello from A', 'hello from B'] : [own]) {
      while (!texts(pane).includes(text)) await pane.next('message');
    }
  }
  return { aSaw: texts(a), bSaw: texts(b), ids: { a: fromA.id, b: fromB.id } };
}

describe('two instances without a shared broker: the room is split, silently', () => {
  const instances: Running[] = [];
  const panes: ChatConnection[] = [];
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'socketbook-split-'));
    for (const name of ['solo-1', 'solo-2']) instances.push(await startInstance({ port: 0, redisUrl: null, args: ['--site', join(dir, 'no-site')], name }));
  });
  afterAll(async () => {
    for (const pane of panes) pane.socket.terminate();
    for (const instance of instances) await instance.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('says so in /healthz, gives each side its own epoch and ids, and delivers nothing across', async () => {
    for (const instance of instances) expect(await healthOf(instance.port)).toMatchObject({ chatBroker: 'memory' });
    const open = async (instance: Running) => {
      const pane = await ChatConnection.open(chatUrl(`ws://127.0.0.1:${String(instance.port)}`, 'lobby'));
      panes.push(pane);
      return pane;
    };
    const a = await open(instances[0] as Running);
    const b = await open(instances[1] as Running);
    const [welcomeA, welcomeB] = [await a.next('welcome'), await b.next('welcome')];
    // Two rooms that share a name: each process made its own.
    expect(welcomeA.epoch).not.toBe(welcomeB.epoch);
    expect(welcomeB.members).not.toContain(welcomeA.you);
    const { aSaw, bSaw, ids } = await talk({ a, b }, false);
    expect(aSaw).toEqual(['hello from A']);
    expect(bSaw).toEqual(['hello from B']);
    // Each process numbers from its own counter: the same id twice in "one" room.
    expect(ids.a).toBe(ids.b);
  });
});

describe.skipIf(lacks('redis-server'))('two instances sharing the room through Redis', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ instances: 2 });
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('says so in /healthz, gives both sides one epoch, and both see both messages with ids from one sequence', async () => {
    for (const instance of cluster.instances) expect(await healthOf(instance.port)).toMatchObject({ chatBroker: 'redis' });
    const a = await cluster.chat(0, 'lobby');
    const welcomeA = await a.next('welcome');
    const b = await cluster.chat(1, 'lobby');
    const welcomeB = await b.next('welcome');
    expect(welcomeB.epoch).toBe(welcomeA.epoch);
    expect(welcomeB.members).toContain(welcomeA.you);
    const { aSaw, bSaw, ids } = await talk({ a, b }, true);
    expect(aSaw).toEqual(['hello from A', 'hello from B']);
    expect(bSaw).toEqual(['hello from A', 'hello from B']);
    expect(ids.b).toBe(ids.a + 1);
  });
});
