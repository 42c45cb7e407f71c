import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatConnection } from '../../client/chat-connection.ts';
import { freePort, startInstance } from '../../demo-server/cluster/processes.ts';
import { chatUrl, type RoomEvent } from '../../src/shared/protocol/chat.ts';
import { SOCKET_ERRORS } from '../../src/shared/protocol/errors.ts';
import { startCluster, type Target, type TestCluster } from '../helpers/cluster.ts';
import { openJsonClient } from '../helpers/json-client.ts';
import { lacks } from './servers.ts';

/** Short, so a killed instance's members expire within the test; long enough that a busy machine does not lose a live lease. */
const MEMBER_TTL_MS = 2_000;

let nextAddress = 10;
const ownAddress = () => ({ localAddress: `127.0.0.${String(nextAddress++)}` });

describe.skipIf(lacks('redis-server'))('a cluster losing a process', () => {
  let cluster: TestCluster | null = null;
  afterEach(async () => {
    await cluster?.stop();
    cluster = null;
  });

  it('after kill -9 of an instance, its members are gone everywhere once --redis-member-ttl-ms has passed', async () => {
    const running = await startCluster({ instances: 2, memberTtlMs: MEMBER_TTL_MS });
    cluster = running;
    const doomed = await running.chat(0, 'ghosts', {}, ownAddress());
    const doomedName = (await doomed.next('welcome')).you;
    // And a room whose only member is on the instance that dies: no survivor is in it to notice.
    const aloneAddress = ownAddress();
    const alone = await running.chat(0, 'ghosts-alone', {}, aloneAddress);
    await alone.next('welcome');
    const witness = await running.chat(1, 'ghosts', {}, ownAddress());
    const witnessWelcome = await witness.next('welcome');
    expect(witnessWelcome.members).toContain(doomedName);

    const instance = running.instances[0];
    instance?.child.kill('SIGKILL');
    if (instance !== undefined && instance.child.exitCode === null && instance.child.signalCode === null) await once(instance.child, 'exit');
    expect((await doomed.closed).code).toBe(1006);

    // The survivor's sweep finds the dead lease and logs the `left` once.
    const left = await witness.next('left', 10 * MEMBER_TTL_MS);
    expect(left.name).toBe(doomedName);
    // The room with no survivor in it is swept too, by the periodic sweep of every room.
    await vi.waitFor(async () => {
      witness.send({ type: 'rooms' });
      const rooms = (await witness.next('rooms')).rooms;
      expect(rooms.find((room) => room.name === 'ghosts')?.members).toBe(1);
      expect(rooms.find((room) => room.name === 'ghosts-alone')?.members).toBe(0);
    }, { timeout: 10 * MEMBER_TTL_MS, interval: 500 });
    // Its address's place is given back too, though no one joined that room since.
    expect(await running.inspect().get(`socketbook:chat:addr:${aloneAddress.localAddress}:places`)).toBe('0');
    expect(await running.inspect().hlen('socketbook:chat:room:ghosts:members')).toBe(1);

    // A newcomer sees no ghost, and the dead member's name is free again.
    const newcomer = await running.chat(1, 'ghosts', { name: doomedName }, ownAddress());
    const welcome = await newcomer.next('welcome');
    expect(welcome.you).toBe(doomedName);
    expect(welcome.nameNote).toBeNull();
    expect([...welcome.members].sort()).toEqual([doomedName, witnessWelcome.you].sort());
    expect(witness.received.filter((message) => message.type === 'left')).toHaveLength(1);
  });

  it('when Redis restarts mid-chat, members are closed with 1013 BROKER_UNAVAILABLE, and reconnect to a fresh room that works', async () => {
    const running = await startCluster({ instances: 2, memberTtlMs: MEMBER_TTL_MS });
    cluster = running;
    const clients: { target: Target; address: { localAddress: string }; connection: ChatConnection }[] = [];
    for (const target of [0, 1]) {
      const address = ownAddress();
      clients.push({ target, address, connection: await running.chat(target, 'outage', {}, address) });
    }
    const welcomes = await Promise.all(clients.map((client) => client.connection.next('welcome')));
    clients[0]?.connection.send({ type: 'say', text: 'before' });
    const before = await clients[1]?.connection.next('message');

    await running.stopRedis();
    for (const client of clients) {
      const closed = await client.connection.closed;
      expect(closed.code).toBe(1013);
      expect(closed.reason).toBe(`${SOCKET_ERRORS.BROKER_UNAVAILABLE.text}: the connection to Redis closed; reconnect to resume`);
    }
    // While Redis is down a join is refused the same way, and the instances stay up.
    const early = await running.chat(0, 'outage', {}, ownAddress());
    const refused = await early.closed;
    expect(refused.code).toBe(1013);
    expect(refused.reason).toBe(`${SOCKET_ERRORS.BROKER_UNAVAILABLE.text}: Redis did not answer; reconnect to resume`);
    for (const instance of running.instances) expect(instance.child.exitCode).toBeNull();

    await running.startRedisAgain();
    // What a client does after 1013: reconnect with since and epoch until it is welcomed.
    const rejoined: ChatConnection[] = [];
    for (const [index, client] of clients.entries()) {
      const welcome = welcomes[index];
      for (let attempt = 0; ; attempt++) {
        const connection = await running.chat(client.target, 'outage', { since: before?.id ?? 0, epoch: welcome?.epoch ?? null, name: welcome?.you ?? null }, client.address);
        const outcome = await Promise.race([connection.next('welcome', 10_000), connection.closed]);
        if ('type' in outcome) {
          // The new Redis is empty: a new epoch, and the welcome says the ids cannot be resumed.
          expect(outcome.epoch).not.toBe(welcome?.epoch);
          expect(outcome.resume?.status).toBe('reset');
          expect(outcome.you).toBe(welcome?.you);
          rejoined.push(connection);
          break;
        }
        // Still reconnecting to Redis: the same clear refusal, never another code.
        expect(outcome.code).toBe(1013);
        expect(attempt).toBeLessThan(20);
        await new Promise((done) => setTimeout(done, 250));
      }
    }
    rejoined[0]?.send({ type: 'say', text: 'after' });
    expect((await rejoined[1]?.next('message'))?.text).toBe('after');
    expect((await rejoined[0]?.next('message'))?.text).toBe('after');
  });
});

describe('an instance whose Redis is not there at all', () => {
  it('starts and serves, and refuses chat joins with 1013 BROKER_UNAVAILABLE', async () => {
    const instance = await startInstance({ port: 0, redisUrl: `redis://127.0.0.1:${String(await freePort())}`, args: ['--site', 'no-site'] });
    try {
      const client = await ChatConnection.open(chatUrl(`ws://127.0.0.1:${String(instance.port)}`, 'nowhere'));
      const closed = await client.closed;
      expect(closed.code).toBe(1013);
      expect(closed.reason).toBe(`${SOCKET_ERRORS.BROKER_UNAVAILABLE.text}: Redis did not answer; reconnect to resume`);
      // The other endpoints do not need Redis.
      const other = await openJsonClient<{ type: string }>(`ws://127.0.0.1:${String(instance.port)}/ws/heartbeat`);
      other.socket.terminate();
      expect(instance.output()).toMatch(/redis: .*ECONNREFUSED.*\(retrying\)/);
    } finally {
      await instance.stop();
    }
  });
});

describe.skipIf(lacks('redis-server', 'nginx'))('an instance killed behind nginx', () => {
  let cluster: TestCluster | null = null;
  afterEach(async () => {
    await cluster?.stop();
    cluster = null;
  });

  it('sends its clients, reconnecting through the proxy, to the other instance, where they resume with nothing lost or repeated', async () => {
    const running = await startCluster({ instances: 2, memberTtlMs: MEMBER_TTL_MS, proxy: true });
    cluster = running;
    const address = ownAddress();
    const mover = await running.chat('proxy', 'failover', {}, address);
    const welcome = await mover.next('welcome');
    // Which instance nginx chose: the one that logged this client's own address (--trusted-proxies).
    const landedOn = running.instances.findIndex((instance) => instance.output().includes(`/ws/chat/failover  ${address.localAddress}:`));
    expect(landedOn).not.toBe(-1);
    const survivor = 1 - landedOn;
    const talker = await running.chat(survivor, 'failover', {}, ownAddress());
    await talker.next('welcome');
    talker.send({ type: 'say', text: 'before' });
    const lastSeen = (await mover.next('message')).id;

    const doomed = running.instances[landedOn];
    doomed?.child.kill('SIGKILL');
    expect((await mover.closed).code).toBe(1006);
    for (const text of ['while away 1', 'while away 2', 'while away 3']) talker.send({ type: 'say', clientId: text.replace(/ /g, '-'), text });
    for (let index = 0; index < 3; index++) await talker.next('ack');

    // nginx finds the dead upstream refusing and passes the handshake to the other one.
    const back = await running.chat('proxy', 'failover', { since: lastSeen, epoch: welcome.epoch, name: welcome.you }, address);
    const resumed = await back.next('welcome');
    expect(resumed.resume?.status).toBe('complete');
    const logged = talker.received.filter((message): message is RoomEvent & typeof message => ['message', 'joined', 'left', 'renamed'].includes(message.type));
    const missed = logged.filter((event) => event.id > lastSeen && event.id <= resumed.lastId);
    expect(resumed.history).toEqual(missed);
    expect(resumed.history.flatMap((event) => (event.type === 'message' ? [event.text] : []))).toEqual(['while away 1', 'while away 2', 'while away 3']);
    talker.send({ type: 'say', text: 'after' });
    expect((await back.next('message')).text).toBe('after');
    // The seat on the dead instance goes once its lease lapses; the client's old name is then free.
    await vi.waitFor(() => expect(talker.received.some((message) => message.type === 'left' && message.name === welcome.you)).toBe(true), 10 * MEMBER_TTL_MS);
  });
});
