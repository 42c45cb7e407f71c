import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatConnection } from '../../client/chat-connection.ts';
import type { ChatServerMessage, RoomEvent, WelcomeMessage } from '../../src/shared/protocol/chat.ts';
import { startCluster, type TestCluster } from '../helpers/cluster.ts';
import { lacks } from './servers.ts';

/** The room events (those with an id) a client received, in arrival order. */
function roomEvents(client: ChatConnection): RoomEvent[] {
  return client.received.filter((message): message is RoomEvent & ChatServerMessage => ['message', 'joined', 'left', 'renamed'].includes(message.type));
}

function messagesOf(client: ChatConnection): { id: number; from: string; text: string }[] {
  return roomEvents(client).flatMap((event) => (event.type === 'message' ? [{ id: event.id, from: event.from, text: event.text }] : []));
}

/** Each client gets its own loopback address, so the per-address join and notice limits do not mix clients up. */
let nextAddress = 10;
const ownAddress = () => ({ localAddress: `127.0.0.${String(nextAddress++)}` });

describe.skipIf(lacks('redis-server'))('two demo-server instances sharing rooms through a real Redis', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ instances: 2 });
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it('delivers every message to members on both instances once, in one order, with ids from one sequence', async () => {
    const clients: ChatConnection[] = [];
    const welcomes: WelcomeMessage[] = [];
    // One after the other, so the last one's welcome lists all four.
    for (const target of [0, 1, 0, 1]) {
      const client = await cluster.chat(target, 'order', {}, ownAddress());
      clients.push(client);
      welcomes.push(await client.next('welcome'));
    }
    expect(new Set(welcomes.map((welcome) => welcome.epoch)).size).toBe(1);
    // The last one in sees the three others, whichever instance they are on.
    expect([...(welcomes[3]?.members ?? [])].sort()).toEqual(welcomes.map((welcome) => welcome.you).sort());

    // Everyone talks at once, on both instances.
    for (let round = 0; round < 3; round++) {
      clients.forEach((client, index) => client.send({ type: 'say', text: `round ${String(round)} from ${String(index)}` }));
    }
    await vi.waitFor(() => {
      for (const client of clients) expect(messagesOf(client)).toHaveLength(12);
    }, 15_000);

    const first = messagesOf(clients[0] as ChatConnection);
    for (const client of clients) expect(messagesOf(client)).toEqual(first);
    // One sequence for the room: the first member saw the others join, then
    // every message, each id one more than the last, from its welcome on.
    const ids = roomEvents(clients[0] as ChatConnection).map((event) => event.id);
    const start = welcomes[0]?.lastId ?? 0;
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, index) => start + 1 + index));
    for (const [index, client] of clients.entries()) {
      const own = first.filter((message) => message.from === welcomes[index]?.you).map((message) => message.text);
      expect(own).toEqual([0, 1, 2].map((round) => `round ${String(round)} from ${String(index)}`));
      expect(client.received.filter((message) => message.type === 'error')).toEqual([]);
    }
  });

  it('resumes a client on the other instance with exactly the events it missed', async () => {
    const talker = await cluster.chat(1, 'resume', {}, ownAddress());
    await talker.next('welcome');
    const address = ownAddress();
    const away = await cluster.chat(0, 'resume', {}, address);
    const welcome = await away.next('welcome');
    talker.send({ type: 'say', text: 'seen 1' });
    talker.send({ type: 'say', text: 'seen 2' });
    await away.next('message');
    const lastSeen = (await away.next('message')).id;
    // Gone without a close frame, as a dropped network would: its instance logs its `left` later.
    away.socket.terminate();
    for (let index = 1; index <= 5; index++) talker.send({ type: 'say', clientId: `missed-${String(index)}`, text: `missed ${String(index)}` });
    for (let index = 1; index <= 5; index++) await talker.next('ack');

    const back = await cluster.chat(1, 'resume', { since: lastSeen, epoch: welcome.epoch, name: welcome.you }, address);
    const resumed = await back.next('welcome');
    expect(resumed.you).toBe(welcome.you);
    expect(resumed.resume?.status).toBe('complete');
    // Everything the talker's instance logged after lastSeen, no more, no fewer.
    const logged = roomEvents(talker).filter((event) => event.id > lastSeen && event.id <= resumed.lastId);
    expect(resumed.history).toEqual(logged);
    expect(resumed.history.map((event) => event.id)).toEqual(Array.from({ length: resumed.lastId - lastSeen }, (_, index) => lastSeen + 1 + index));
    expect(resumed.history.flatMap((event) => (event.type === 'message' ? [event.text] : []))).toEqual([1, 2, 3, 4, 5].map((index) => `missed ${String(index)}`));
    expect(resumed.resume?.delivered).toBe(resumed.history.length);

    // And live again, without a repeat: the next event is the next id.
    talker.send({ type: 'say', text: 'live' });
    const live = await back.next('message');
    expect(live.text).toBe('live');
    expect(roomEvents(back).map((event) => event.id)[0]).toBe(resumed.lastId + 1);
  });

  it('answers a message resent on the other instance after a reconnect as a duplicate, and does not log it again', async () => {
    const listener = await cluster.chat(1, 'resend', {}, ownAddress());
    await listener.next('welcome');
    const address = ownAddress();
    const sender = await cluster.chat(0, 'resend', {}, address);
    const welcome = await sender.next('welcome');
    sender.send({ type: 'say', clientId: 'once-only', text: 'exactly once' });
    const ack = await sender.next('ack');
    expect(ack).toMatchObject({ clientId: 'once-only', duplicate: false });
    // The reply was lost, as far as the client knows: it reconnects elsewhere and sends again.
    await sender.close();
    await listener.next('left');
    const again = await cluster.chat(1, 'resend', { since: ack.id, epoch: welcome.epoch, name: welcome.you }, address);
    const resumed = await again.next('welcome');
    expect(resumed.you).toBe(welcome.you);
    again.send({ type: 'say', clientId: 'once-only', text: 'exactly once' });
    expect(await again.next('ack')).toMatchObject({ clientId: 'once-only', id: ack.id, duplicate: true });
    again.send({ type: 'say', text: 'next' });
    await listener.next('message');
    const next = await listener.next('message');
    expect(next.text).toBe('next');
    expect(messagesOf(listener).map((message) => message.text)).toEqual(['exactly once', 'next']);
  });

  it('shows who is typing to members on the other instance, and to a member who joins there later', async () => {
    const typist = await cluster.chat(0, 'typing', {}, ownAddress());
    const typistName = (await typist.next('welcome')).you;
    const watcher = await cluster.chat(1, 'typing', {}, ownAddress());
    await watcher.next('welcome');
    typist.send({ type: 'typing', typing: true });
    expect(await watcher.next('typing')).toEqual({ type: 'typing', name: typistName, typing: true });
    const late = await cluster.chat(1, 'typing', {}, ownAddress());
    expect((await late.next('welcome')).typing).toEqual([typistName]);
    // The typist is not told about itself; a message ends its typing everywhere.
    typist.send({ type: 'say', text: 'done typing' });
    await watcher.next('message');
    const after = await cluster.chat(0, 'typing', {}, ownAddress());
    expect((await after.next('welcome')).typing).toEqual([]);
    expect(typist.received.filter((message) => message.type === 'typing')).toEqual([]);
  });

  it('publishes each event once per room to Redis, and each instance subscribes once per room, however many members it has', async () => {
    const inspector = cluster.inspect();
    const channel = 'socketbook:chat:room:fanout:events';
    const members: ChatConnection[] = [];
    for (const target of [0, 0, 0, 1, 1, 1]) members.push(await cluster.chat(target, 'fanout', {}, ownAddress()));
    await Promise.all(members.map((member) => member.next('welcome')));
    // Six members, two processes: two subscriptions to the room's channel.
    expect(await inspector.pubsub('NUMSUB', channel)).toEqual([channel, 2]);

    // A subscriber of our own counts what crosses Redis; MONITOR counts the PUBLISH commands, scripts' included.
    const counter = cluster.inspect();
    const published: string[] = [];
    counter.on('message', (_channel: string, wire: string) => published.push(wire));
    await counter.subscribe(channel);
    const monitor = await cluster.inspect().monitor();
    const publishCommands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'publish' && args[1] === channel) publishCommands.push(args);
    });

    const sender = members[0] as ChatConnection;
    sender.send({ type: 'say', clientId: 'one', text: 'to six members' });
    const ack = await sender.next('ack');
    expect(ack.recipients).toBe(6);
    await vi.waitFor(() => {
      for (const member of members) expect(messagesOf(member).filter((message) => message.text === 'to six members')).toHaveLength(1);
    });
    await vi.waitFor(() => expect(publishCommands).toHaveLength(1));
    expect(published.filter((wire) => wire.includes('to six members'))).toHaveLength(1);
    expect(JSON.parse(publishCommands[0]?.[2] ?? '{}')).toMatchObject({ type: 'message', id: ack.id, text: 'to six members' });
    monitor.disconnect();
    await counter.unsubscribe(channel);

    // The last member of an instance leaving drops that instance's subscription.
    for (const member of members.slice(0, 3)) await member.close();
    await vi.waitFor(async () => expect(await inspector.pubsub('NUMSUB', channel)).toEqual([channel, 1]));
  });
});
