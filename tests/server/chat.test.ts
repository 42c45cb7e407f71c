import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatConnection } from '../../client/chat-connection.ts';
import { CHAT_DEFAULTS, chatUrl } from '../../src/shared/protocol/chat.ts';
import { refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';

const NAME = /^[a-z]+-[a-z]+$/;

/** A loopback address of its own for student `index` (127.0.0.2, 127.0.0.3, …): Linux routes all of 127/8 to lo. */
function studentAddress(index: number): string {
  return `127.0.${String(Math.floor(index / 250))}.${String(2 + (index % 250))}`;
}

describe('/ws/chat/:room', () => {
  let running: RunningServer;
  const open: ChatConnection[] = [];
  beforeEach(async () => {
    running = await startServer({ maxMessageBytes: 16 * 1024 });
  });
  afterEach(async () => {
    for (const connection of open.splice(0)) connection.socket.terminate();
    await running.close();
  });

  /** Joins `room` (from `localAddress`, a loopback address such as 127.0.0.2, when given) and returns the connection with its welcome. */
  async function join(room = 'lobby', resume: Parameters<typeof chatUrl>[2] = {}, localAddress?: string) {
    const connection = await ChatConnection.open(chatUrl(running.wsUrl, room, resume), localAddress === undefined ? {} : { localAddress });
    open.push(connection);
    const welcome = await connection.next('welcome');
    return { connection, welcome };
  }

  describe('joining', () => {
    it('assigns a readable name and sends the members, recent history and limits', async () => {
      const first = await join();
      expect(first.welcome.you).toMatch(NAME);
      expect(first.welcome.members).toEqual([first.welcome.you]);
      expect(first.welcome.history).toEqual([{ type: 'joined', id: 1, at: expect.any(Number) as number, name: first.welcome.you }]);
      expect(first.welcome.lastId).toBe(1);
      expect(first.welcome.resume).toBeNull();
      expect(first.welcome.limits).toEqual({ maxTextChars: 1000, messagesPerSecond: 5, burstMessages: 10, historyLength: 500, typingTimeoutMs: 5000 });

      const second = await join();
      expect(second.welcome.you).toMatch(NAME);
      expect(second.welcome.you).not.toBe(first.welcome.you);
      expect(second.welcome.members).toEqual([first.welcome.you, second.welcome.you]);
      expect(await first.connection.next('joined')).toMatchObject({ id: 2, name: second.welcome.you });
    });

    it('keeps rooms apart', async () => {
      const lobby = await join('lobby');
      await join('maths-2b');
      lobby.connection.send({ type: 'ping', token: 'after' });
      await lobby.connection.next('pong');
      expect(lobby.connection.received.filter((message) => message.type === 'joined')).toEqual([]);
    });

    it('gives the name asked for with ?name= when it is free, and says so when it is not', async () => {
      const first = await join('lobby', { name: 'ada' });
      expect(first.welcome).toMatchObject({ you: 'ada', nameNote: null });
      const second = await join('lobby', { name: 'ADA' });
      expect(second.welcome.you).toMatch(NAME);
      expect(second.welcome.nameNote).toBe(`ADA is taken in lobby, so you are ${second.welcome.you}`);
    });

    it.each([
      ['/ws/chat/Lobby', 'room name "Lobby" is not allowed: use 1 to 32 lowercase letters, digits, "-" or "_", starting with a letter or digit'],
      ['/ws/chat/a%20b', 'room name "a b" is not allowed: use 1 to 32 lowercase letters, digits, "-" or "_", starting with a letter or digit'],
      [`/ws/chat/${'a'.repeat(33)}`, `room name "${'a'.repeat(33)}" is not allowed: use 1 to 32 lowercase letters, digits, "-" or "_", starting with a letter or digit`],
      ['/ws/chat/lobby?since=-1', 'since must be a whole number of 0 or more (the id of the last event you saw), got "-1"'],
      ['/ws/chat/lobby?since=abc', 'since must be a whole number of 0 or more (the id of the last event you saw), got "abc"'],
      ['/ws/chat/lobby?epoch=abc', 'epoch only makes sense with since: add ?since=<the last id you saw>'],
      ['/ws/chat/lobby?since=3&epoch=A!', 'epoch must be the room epoch from the welcome message (1 to 32 of a-z 0-9), got "A!"'],
      ['/ws/chat/lobby?name=x', 'name "x" is not allowed: use 2 to 24 letters, digits, "-" or "_", starting with a letter or digit'],
      ['/ws/chat/lobby?name=%3Cb%3E', 'name "<b>" is not allowed: use 2 to 24 letters, digits, "-" or "_", starting with a letter or digit'],
    ])('refuses %s with HTTP 400 and says why', async (path, message) => {
      const { status, body } = await refusedHandshake(`${running.wsUrl}${path}`);
      expect(status).toBe(400);
      expect(body).toBe(`${message}\n`);
    });
  });

  describe('broadcast', () => {
    it('delivers each message to every member, the sender included, with an id, sender and time', async () => {
      const alice = await join();
      const bob = await join();
      await alice.connection.next('joined');
      const before = Date.now();
      alice.connection.send({ type: 'say', text: 'hello room', clientId: 'm1' });
      const atAlice = await alice.connection.next('message');
      const atBob = await bob.connection.next('message');
      expect(atAlice).toEqual(atBob);
      expect(atAlice).toMatchObject({ id: 3, from: alice.welcome.you, text: 'hello room', clientId: 'm1' });
      expect(atAlice.at).toBeGreaterThanOrEqual(before);
      expect(await alice.connection.next('ack')).toEqual({ type: 'ack', clientId: 'm1', id: 3, recipients: 2, duplicate: false });
      expect(bob.connection.received.some((message) => message.type === 'ack')).toBe(false);
    });

    it('numbers events 1, 2, 3, … per room with no gaps', async () => {
      const alice = await join('ids');
      for (const text of ['a', 'b', 'c']) alice.connection.send({ type: 'say', text });
      const ids = [];
      for (let index = 0; index < 3; index++) ids.push((await alice.connection.next('message')).id);
      expect(ids).toEqual([2, 3, 4]);
      const other = await join('other-room');
      expect(other.welcome.lastId).toBe(1);
    });

    it('does not broadcast a resent clientId twice, and acknowledges it as a duplicate', async () => {
      const alice = await join();
      const bob = await join();
      alice.connection.send({ type: 'say', text: 'once', clientId: 'same-id' });
      const first = await alice.connection.next('ack');
      alice.connection.send({ type: 'say', text: 'once', clientId: 'same-id' });
      expect(await alice.connection.next('ack')).toEqual({ ...first, duplicate: true });
      bob.connection.send({ type: 'ping' });
      await bob.connection.next('pong');
      expect(bob.connection.received.filter((message) => message.type === 'message')).toHaveLength(1);
    });

    it('keeps message text exactly as sent: escaping is the renderer\'s job', async () => {
      const alice = await join();
      const payload = '<img src=x onerror=alert(1)> & <script>alert(2)</script>';
      alice.connection.send({ type: 'say', text: payload });
      expect((await alice.connection.next('message')).text).toBe(payload);
    });

    it('tells the others when a member leaves', async () => {
      const alice = await join();
      const bob = await join();
      await bob.connection.close();
      expect(await alice.connection.next('left')).toMatchObject({ name: bob.welcome.you });
    });
  });

  describe('typing, nick, rooms and ping', () => {
    it('shows a typing indicator to the others only, and clears it', async () => {
      const alice = await join();
      const bob = await join();
      alice.connection.send({ type: 'typing', typing: true });
      expect(await bob.connection.next('typing')).toEqual({ type: 'typing', name: alice.welcome.you, typing: true });
      const carol = await join();
      expect(carol.welcome.typing).toEqual([alice.welcome.you]);
      alice.connection.send({ type: 'typing', typing: false });
      expect(await bob.connection.next('typing')).toEqual({ type: 'typing', name: alice.welcome.you, typing: false });
      alice.connection.send({ type: 'ping' });
      await alice.connection.next('pong');
      expect(alice.connection.received.some((message) => message.type === 'typing')).toBe(false);
    });

    it('renames with nick, and refuses a taken or invalid name with a clear error', async () => {
      const alice = await join();
      const bob = await join();
      alice.connection.send({ type: 'nick', name: 'Ada' });
      expect(await bob.connection.next('renamed')).toMatchObject({ from: alice.welcome.you, to: 'Ada' });
      bob.connection.send({ type: 'nick', name: 'ada' });
      expect(await bob.connection.next('error')).toEqual({ type: 'error', error: 'NAME_TAKEN', message: 'name already taken in this room: "ada" is taken in room lobby' });
      bob.connection.send({ type: 'nick', name: 'a b' });
      expect(await bob.connection.next('error')).toEqual({
        type: 'error',
        error: 'NAME_INVALID',
        message: 'name not allowed: "a b" is not allowed: use 2 to 24 letters, digits, "-" or "_", starting with a letter or digit',
      });
      alice.connection.send({ type: 'say', text: 'renamed' });
      expect(await bob.connection.next('message')).toMatchObject({ from: 'Ada', text: 'renamed' });
    });

    it('lists the rooms and their member counts, busiest first', async () => {
      const alice = await join('lobby');
      await join('lobby');
      await join('maths');
      alice.connection.send({ type: 'rooms' });
      expect(await alice.connection.next('rooms')).toEqual({
        type: 'rooms',
        rooms: [
          { name: 'lobby', members: 2, lastId: 2 },
          { name: 'maths', members: 1, lastId: 1 },
        ],
      });
    });

    it('answers ping with pong and the same token', async () => {
      const alice = await join();
      alice.connection.send({ type: 'ping', token: 't-1' });
      expect(await alice.connection.next('pong')).toEqual({ type: 'pong', token: 't-1', serverTime: expect.any(Number) as number });
    });
  });

  describe('resume', () => {
    it('gives a reconnecting client exactly the events it missed, and its name back', async () => {
      const alice = await join();
      const bob = await join();
      const lastSeen = bob.welcome.lastId;
      await bob.connection.close();
      await alice.connection.next('left');
      for (const text of ['one', 'two', 'three']) alice.connection.send({ type: 'say', text });
      for (let index = 0; index < 3; index++) await alice.connection.next('message');
      const back = await join('lobby', { since: lastSeen, epoch: bob.welcome.epoch, name: bob.welcome.you });
      expect(back.welcome.you).toBe(bob.welcome.you);
      expect(back.welcome.resume).toEqual({ since: lastSeen, status: 'complete', delivered: 5, lost: 0, message: `resumed after #${String(lastSeen)}: 5 events you missed` });
      expect(back.welcome.history.map((event) => [event.id, event.type, event.type === 'message' ? event.text : ''])).toEqual([
        [3, 'left', ''],
        [4, 'message', 'one'],
        [5, 'message', 'two'],
        [6, 'message', 'three'],
        [7, 'joined', ''],
      ]);
    });

    it('says plainly how many events were lost when the gap is older than the history kept', async () => {
      const watcher = await join('busy');
      const senders = [];
      // 55 members × 10 messages (each within the burst) + their joins: more than the 500 kept.
      // Each from its own address, as a class on a LAN: one address's joins past its notice allowance would be quiet.
      for (let index = 0; index < 55; index++) senders.push((await join('busy', {}, studentAddress(index))).connection);
      const lastSeen = watcher.welcome.lastId;
      await watcher.connection.close();
      for (const sender of senders) for (let index = 0; index < 10; index++) sender.send({ type: 'say', text: `m${String(index)}` });
      const last = senders.at(-1);
      if (last === undefined) throw new Error('no senders');
      await expect.poll(() => last.received.filter((message) => message.type === 'message').length, { timeout: 15_000 }).toBe(550);
      const back = await join('busy', { since: lastSeen, epoch: watcher.welcome.epoch });
      // 1 watcher join + 55 joins + left + 550 messages + the new join = 608 events; the last 500 are kept.
      expect(back.welcome.lastId).toBe(608);
      expect(back.welcome.history).toHaveLength(CHAT_DEFAULTS.historyLength);
      expect(back.welcome.history[0]?.id).toBe(109);
      expect(back.welcome.resume).toEqual({
        since: 1,
        status: 'gap',
        delivered: 500,
        lost: 107,
        message: '107 events after #1 are lost: this room keeps only its last 500; here are the 500 it kept, from #109',
      });
    });

    it('reports a reset when the ids come from another epoch of the room', async () => {
      await join('lobby');
      const back = await join('lobby', { since: 1, epoch: 'someotherepoch' });
      expect(back.welcome.resume).toMatchObject({ since: 1, status: 'reset', lost: null });
      expect(back.welcome.resume?.message).toMatch(/^id #1 is from an earlier run of room lobby/);
      const ahead = await join('lobby', { since: 99 });
      expect(ahead.welcome.resume).toMatchObject({ since: 99, status: 'reset', delivered: 3 });
    });
  });

  describe('bad input', () => {
    /**
     * A bystander in the same room, to show that the others are unaffected:
     * `bystanderStillWorks()` chats and returns the texts the bystander saw.
     */
    async function withBystander() {
      const bystander = await join();
      const sender = await join();
      await bystander.connection.next('joined');
      const bystanderStillWorks = async (): Promise<string[]> => {
        if (sender.connection.socket.readyState !== sender.connection.socket.OPEN) await bystander.connection.next('left');
        bystander.connection.send({ type: 'say', text: 'still here', clientId: 'check' });
        expect(await bystander.connection.next('ack')).toMatchObject({ clientId: 'check', duplicate: false });
        return bystander.connection.received.flatMap((message) => (message.type === 'message' ? [message.text] : []));
      };
      return { sender: sender.connection, bystanderStillWorks };
    }

    it.each([
      ['malformed JSON', '{"type":"say",', 'INVALID_JSON', /^message is not valid JSON: /],
      ['an unknown type', '{"type":"shout","text":"hi"}', 'UNKNOWN_TYPE', /^unknown message type: "shout"; expected one of say, typing, nick, rooms, ping$/],
      ['a missing field', '{"type":"say"}', 'INVALID_MESSAGE', /^message does not match the protocol: text: /],
      ['a spoofed sender', '{"type":"say","text":"I am the teacher","from":"teacher"}', 'SPOOFED_FIELD', /^field is set by the server, not the client: "from": the server sets the sender, id and time of every message; remove it$/],
      ['a spoofed id', '{"type":"say","text":"x","id":1}', 'SPOOFED_FIELD', /^field is set by the server, not the client: "id": /],
      ['empty text', '{"type":"say","text":""}', 'EMPTY_TEXT', /^message text is empty: send at least one visible character$/],
      ['blank text', '{"type":"say","text":"  \\n "}', 'EMPTY_TEXT', /^message text is empty/],
      ['text over the limit', JSON.stringify({ type: 'say', text: 'x'.repeat(1001) }), 'TEXT_TOO_LONG', /^message text is too long: 1001 characters, the limit is 1000$/],
    ])('answers %s with a clear error, broadcasts nothing and stays up', async (_label, raw, error, message) => {
      const { sender, bystanderStillWorks } = await withBystander();
      sender.send(raw);
      const reply = await sender.next('error');
      expect(reply.error).toBe(error);
      expect(reply.message).toMatch(message);
      expect(reply.closeCode).toBeUndefined();
      expect(await bystanderStillWorks()).toEqual(['still here']);
      expect(sender.socket.readyState).toBe(sender.socket.OPEN);
    });

    it('refuses binary messages with an error', async () => {
      const { sender, bystanderStillWorks } = await withBystander();
      sender.socket.send(Buffer.from('{"type":"say","text":"hi"}'));
      expect(await sender.next('error')).toEqual({ type: 'error', error: 'BINARY_NOT_ACCEPTED', message: 'this endpoint accepts text messages only: send JSON as text' });
      expect(await bystanderStillWorks()).toEqual(['still here']);
    });

    it('counts characters, not UTF-16 units: 1000 emoji fit', async () => {
      const alice = await join();
      alice.connection.send({ type: 'say', text: '🙂'.repeat(1000) });
      expect((await alice.connection.next('message')).text).toHaveLength(2000);
    });

    it('closes a frame over --max-message-bytes with 1009; the others carry on', async () => {
      const { sender, bystanderStillWorks } = await withBystander();
      sender.send(JSON.stringify({ type: 'say', text: 'x'.repeat(20 * 1024) }));
      expect((await sender.closed).code).toBe(1009);
      expect(await bystanderStillWorks()).toEqual(['still here']);
    });

    it('warns a flooding client, drops what is over the rate, then closes it with 1008; the others carry on', async () => {
      const { sender, bystanderStillWorks } = await withBystander();
      for (let index = 0; index < 40; index++) sender.send({ type: 'say', text: `flood ${String(index)}` });
      expect(await sender.closed).toEqual({ code: 1008, reason: 'too many messages: over 5 messages a second after a warning' });
      const errors = sender.received.filter((message) => message.type === 'error');
      expect(errors).toEqual([
        {
          type: 'error',
          error: 'RATE_WARNING',
          message: 'slow down: message dropped, over the rate limit: at most 5 messages a second (bursts of 10); 10 more dropped in a row close the connection',
        },
      ]);
      // The burst went through (give or take a token refilled meanwhile); the rest were dropped.
      const delivered = sender.received.filter((message) => message.type === 'message').length;
      expect(delivered).toBeGreaterThanOrEqual(10);
      expect(delivered).toBeLessThan(15);
      expect((await bystanderStillWorks()).at(-1)).toBe('still here');
    });

    it('closes a client that keeps sending invalid messages with 1008', async () => {
      const { sender, bystanderStillWorks } = await withBystander();
      for (let index = 0; index < CHAT_DEFAULTS.invalidMessagesBurst + 1; index++) sender.send('nope');
      const { code, reason } = await sender.closed;
      expect(code).toBe(1008);
      expect(reason).toMatch(/^too many invalid messages: more than 5 invalid messages; the last: message is not valid JSON/);
      expect(sender.received.filter((message) => message.type === 'error')).toHaveLength(CHAT_DEFAULTS.invalidMessagesBurst);
      expect(await bystanderStillWorks()).toEqual(['still here']);
    });
  });

  describe('capacity', () => {
    it(`closes with 1013 when a room already has ${String(CHAT_DEFAULTS.maxMembersPerRoom)} members`, async () => {
      for (let index = 0; index < CHAT_DEFAULTS.maxMembersPerRoom; index++) await join('full', {}, studentAddress(index));
      const extra = await ChatConnection.open(chatUrl(running.wsUrl, 'full'));
      open.push(extra);
      expect(await extra.closed).toEqual({ code: 1013, reason: 'room is full, try again later: full has 100 members' });
      const elsewhere = await join('not-full');
      expect(elsewhere.welcome.members).toHaveLength(1);
    });

    it(`closes with 1013 when ${String(CHAT_DEFAULTS.maxRooms)} rooms are in use, and frees the slot of an empty room`, async () => {
      const members = [];
      for (let index = 0; index < CHAT_DEFAULTS.maxRooms; index++) members.push(await join(`room-${String(index)}`, {}, studentAddress(index)));
      const extra = await ChatConnection.open(chatUrl(running.wsUrl, 'one-too-many'));
      open.push(extra);
      expect(await extra.closed).toEqual({ code: 1013, reason: 'too many rooms on this server, try again later: 50 rooms are in use and none is empty' });
      await members[0]?.connection.close();
      const retry = await join('one-too-many');
      expect(retry.welcome.members).toHaveLength(1);
    });
  });
});
