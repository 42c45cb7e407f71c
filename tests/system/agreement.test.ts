import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SOCKET_ERRORS } from '../../src/shared/protocol/errors.ts';
import { startCluster, type TestCluster } from '../helpers/cluster.ts';
import { lacks } from './servers.ts';

/** Short, so a killed instance's seats are swept within the test; long enough that a busy machine does not lose a live lease. */
const MEMBER_TTL_MS = 2_000;

/**
 * What two processes must agree on is decided inside Redis, in one script,
 * not by reading then writing: these race the two instances on purpose.
 */
describe.skipIf(lacks('redis-server'))('what the instances agree on through Redis', () => {
  let cluster: TestCluster;
  let nextAddress = 1;
  const ownAddress = () => ({ localAddress: `127.0.2.${String(nextAddress++)}` });
  beforeAll(async () => {
    cluster = await startCluster({ instances: 2, memberTtlMs: MEMBER_TTL_MS, args: ['--chat-places-per-address', '2'] });
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('gives look-alike names asked for at the same moment on two instances to one member only', async () => {
    // "Iris" and "lris" differ once folded, not as typed (a capital I looks like an l).
    for (let round = 0; round < 10; round++) {
      const room = `names-${String(round)}`;
      const clients = await Promise.all([cluster.chat(0, room, { name: 'Iris' }, ownAddress()), cluster.chat(1, room, { name: 'lris' }, ownAddress())]);
      const welcomes = await Promise.all(clients.map((client) => client.next('welcome')));
      const kept = welcomes.filter((welcome) => welcome.nameNote === null);
      expect(kept, `round ${String(round)}: ${welcomes.map((welcome) => welcome.you).join(' and ')}`).toHaveLength(1);
      const renamed = welcomes.find((welcome) => welcome.nameNote !== null);
      expect(renamed?.nameNote).toMatch(/^(Iris|lris) (is taken|looks like (Iris|lris), who is here) in names-\d+, so you are /);
      for (const client of clients) client.socket.terminate();
    }
  });

  it('lets only one of two members on two instances rename to look-alikes at once', async () => {
    for (let round = 0; round < 10; round++) {
      const room = `renames-${String(round)}`;
      const clients = [await cluster.chat(0, room, {}, ownAddress()), await cluster.chat(1, room, {}, ownAddress())];
      const names = (await Promise.all(clients.map((client) => client.next('welcome')))).map((welcome) => welcome.you);
      clients[0]?.send({ type: 'nick', name: 'Iris' });
      clients[1]?.send({ type: 'nick', name: 'lris' });
      // Each member's own outcome: its rename logged, or an error.
      const outcomes = await vi.waitFor(() =>
        clients.map((client, index) => {
          const outcome = client.received.find((message) => message.type === 'error' || (message.type === 'renamed' && message.from === names[index]));
          if (outcome === undefined) throw new Error(`no outcome yet for ${String(names[index])}`);
          return outcome.type === 'error' ? outcome.error : 'renamed';
        }),
      );
      expect(outcomes.filter((outcome) => outcome === 'NAME_TAKEN'), `round ${String(round)}: ${outcomes.join(', ')}`).toHaveLength(1);
      for (const client of clients) client.socket.terminate();
    }
  });

  it('counts an address’s places across instances in one step, and gives them back when an instance is killed', async () => {
    const address = ownAddress();
    const placesKey = `socketbook:chat:addr:${address.localAddress}:places`;
    const inspector = cluster.inspect();
    const places = () => inspector.get(placesKey);
    const held = [await cluster.chat(0, 'places-a', {}, address), await cluster.chat(0, 'places-b', {}, address)];
    await Promise.all(held.map((client) => client.next('welcome')));
    expect(await places()).toBe('2');
    // A third place, on the other instance: the limit is the address's, not the process's.
    const third = await cluster.chat(1, 'places-c', {}, address);
    const refused = await third.closed;
    expect(refused.code).toBe(1013);
    expect(refused.reason).toBe(`${SOCKET_ERRORS.TOO_MANY_PLACES_FROM_ADDRESS.text}: ${address.localAddress} holds 2 (--chat-places-per-address)`);

    // One place free, and two joins from the address at the same moment on both instances: one gets it.
    await held[1]?.close();
    await vi.waitFor(async () => expect(await places()).toBe('1'));
    // The join bucket refills (2 a second after a burst of 2), so only the place limit can refuse.
    await new Promise((done) => setTimeout(done, 1_100));
    const racing = await Promise.all([cluster.chat(0, 'places-d', {}, address), cluster.chat(1, 'places-e', {}, address)]);
    const outcomes = await Promise.all(racing.map((client) => Promise.race([client.next('welcome', 10_000).then(() => 'welcome'), client.closed.then((closed) => String(closed.code))])));
    expect(outcomes.sort()).toEqual(['1013', 'welcome']);
    expect(await places()).toBe('2');
    for (const client of racing) await client.close();
    await vi.waitFor(async () => expect(await places()).toBe('1'));

    // The instance holding the last place dies without a word; once its lease lapses, a sweep frees the seat and the place.
    const witness = await cluster.chat(1, 'places-a', {}, ownAddress());
    await witness.next('welcome');
    const instance = cluster.instances[0];
    instance?.child.kill('SIGKILL');
    if (instance !== undefined && instance.child.exitCode === null && instance.child.signalCode === null) await once(instance.child, 'exit');
    await witness.next('left', 10 * MEMBER_TTL_MS);
    expect(await places()).toBe('0');
    const again = [await cluster.chat(1, 'places-a', {}, address), await cluster.chat(1, 'places-b', {}, address)];
    await Promise.all(again.map((client) => client.next('welcome')));
    expect(await places()).toBe('2');
  });
});

describe.skipIf(lacks('redis-server'))('the room cap, shared by the instances', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ instances: 2, args: ['--chat-limits', 'maxRooms=2'] });
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('lets four rooms created at the same moment on two instances under a cap of two be made only twice', async () => {
    const clients = await Promise.all([0, 1, 0, 1].map((target, index) => cluster.chat(target, `capped-${String(index)}`, {}, { localAddress: `127.0.4.${String(index + 1)}` })));
    const outcomes = await Promise.all(clients.map((client) => Promise.race([client.next('welcome', 10_000).then(() => 'welcome'), client.closed.then((closed) => `${String(closed.code)} ${closed.reason}`)])));
    expect(outcomes.filter((outcome) => outcome === 'welcome')).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome !== 'welcome')).toEqual([
      `1013 ${SOCKET_ERRORS.TOO_MANY_ROOMS.text}: 2 rooms are in use and none is empty`,
      `1013 ${SOCKET_ERRORS.TOO_MANY_ROOMS.text}: 2 rooms are in use and none is empty`,
    ]);
  });
});
