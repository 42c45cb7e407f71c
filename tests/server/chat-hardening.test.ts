import { describe, expect, it } from 'vitest';
import type { ChatConnection } from '../../client/chat-connection.ts';
import { CHAT_DEFAULTS, type chatUrl } from '../../src/shared/protocol/chat.ts';
import { useChatServer } from '../helpers/chat-server.ts';
import { refusedHandshake } from '../helpers/demo-server.ts';

/**
 * What a hostile student tried on a classroom server (issue 16): taking
 * every room or place from one address, join/leave churn, impersonation by
 * name, invisible text, JSON that is not an object, and another member's
 * clientId. Clients come from their own loopback addresses (127.0.0.2, …;
 * Linux routes all of 127/8 to lo) where the test needs several machines.
 */
describe('/ws/chat/:room against a hostile client', () => {
  const session = useChatServer();

  function connect(room: string, from = '127.0.0.1', resume: Parameters<typeof chatUrl>[2] = {}): Promise<ChatConnection> {
    return session.connect(room, resume, { localAddress: from });
  }

  async function join(room: string, from = '127.0.0.1', resume: Parameters<typeof chatUrl>[2] = {}) {
    const connection = await connect(room, from, resume);
    return { connection, welcome: await connection.next('welcome') };
  }

  /** `'welcome'`, or the close code, of one attempt to join `room`. */
  async function joinOutcome(room: string, from = '127.0.0.1'): Promise<string> {
    const attempt = await connect(room, from);
    return Promise.race([attempt.next('welcome').then(() => 'welcome'), attempt.closed.then(({ code }) => String(code))]);
  }

  describe('per-address limits', () => {
    it(`lets one address create ${String(CHAT_DEFAULTS.maxRoomsPerAddress)} rooms, not all ${String(CHAT_DEFAULTS.maxRooms)}: the next closes with 1013 and other addresses still create theirs`, async () => {
      for (let index = 0; index < CHAT_DEFAULTS.maxRoomsPerAddress; index++) await join(`mine-${String(index)}`);
      const extra = await connect('one-more');
      expect(await extra.closed).toEqual({
        code: 1013,
        reason: 'your address has created too many rooms, try again later: 127.0.0.1 made 20 and none is empty (--chat-rooms-per-address)',
      });
      const other = await join('theirs', '127.0.0.2');
      expect(other.welcome.members).toEqual([other.welcome.you]);
    });

    it("forgets the address's own oldest empty room to make way for its next one", async () => {
      const rooms = [];
      for (let index = 0; index < CHAT_DEFAULTS.maxRoomsPerAddress; index++) rooms.push(await join(`mine-${String(index)}`));
      await rooms[3]?.connection.close();
      await expect.poll(() => joinOutcome('one-more')).toBe('welcome');
      // mine-3 (empty) made way; the limit still holds: mine-3 would be a 21st room.
      expect(await joinOutcome('mine-3')).toBe('1013');
    });

    it(`lets one address hold ${String(CHAT_DEFAULTS.maxPlacesPerAddress)} places, not a whole room of ${String(CHAT_DEFAULTS.maxMembersPerRoom)}: the next closes with 1013`, async () => {
      for (let index = 0; index < CHAT_DEFAULTS.maxPlacesPerAddress; index++) await join('packed');
      const extra = await connect('packed');
      expect(await extra.closed).toEqual({
        code: 1013,
        reason: 'your address holds too many places in chat rooms, try again later: 127.0.0.1 holds 64 (--chat-places-per-address)',
      });
      const student = await join('packed', '127.0.0.2');
      expect(student.welcome.you).toMatch(/^[a-z]+-[a-z]+(-\d+)?$/);
    });

    it('gives a place back when its member leaves', async () => {
      await session.restartWith({ maxPlacesPerAddress: 2 });
      const first = await join('lobby');
      await join('lobby');
      expect(await joinOutcome('lobby')).toBe('1013');
      await first.connection.close();
      await expect.poll(() => joinOutcome('lobby')).toBe('welcome');
    });
  });

  describe('join/leave churn', () => {
    it('cannot flood the members with notices or push the history out, and is cut off with 1013 past the join rate', async () => {
      const watcher = await join('lobby', '127.0.0.2');
      watcher.connection.send({ type: 'say', text: 'remember me', clientId: 'w1' });
      await watcher.connection.next('ack');
      let refusal: { code: number; reason: string } | null = null;
      let cycles = 0;
      for (; cycles < 150 && refusal === null; cycles++) {
        const churner = await connect('lobby');
        const outcome = await Promise.race([churner.next('welcome').then(() => null), churner.closed]);
        if (outcome !== null) refusal = outcome;
        churner.socket.close();
        await churner.closed;
      }
      expect(refusal).toEqual({ code: 1013, reason: 'too many joins from your address, try again later: at most 2 joins a second from 127.0.0.1 after a burst of 64' });
      // 64 joins at most (plus what the rate refilled meanwhile): an unbounded churn would have reached 150.
      expect(cycles).toBeLessThan(100);
      const notices = () => watcher.connection.received.filter((message) => message.type === 'joined' || message.type === 'left').length;
      // Each announced churner is a joined/left pair; past 20 notices' worth the churners joined and left quietly.
      await expect.poll(notices).toBeGreaterThan(0);
      expect(notices()).toBeLessThanOrEqual(2 * (CHAT_DEFAULTS.presenceNoticeBurstPerAddress + 1));
      // The watcher's message is still among the 50 events a newcomer gets.
      const newcomer = await join('lobby', '127.0.0.3');
      expect(newcomer.welcome.history.filter((event) => event.type === 'message').map((event) => event.text)).toEqual(['remember me']);
    });

    it('announces a quiet member when it speaks, and lists it only then', async () => {
      await session.restartWith({ presenceNoticeBurstPerAddress: 1 });
      const watcher = await join('lobby', '127.0.0.2');
      const loud = await join('lobby');
      const quiet = await join('lobby');
      expect(quiet.welcome.members).toEqual([watcher.welcome.you, loud.welcome.you, quiet.welcome.you]);
      const newcomer = await join('lobby', '127.0.0.3');
      expect(newcomer.welcome.members).toEqual([watcher.welcome.you, loud.welcome.you, newcomer.welcome.you]);
      quiet.connection.send({ type: 'say', text: 'hi' });
      const said = await watcher.connection.next('message');
      const [joined, message] = watcher.connection.received.slice(-2);
      expect([joined, message]).toEqual([{ type: 'joined', id: said.id - 1, at: expect.any(Number) as number, name: quiet.welcome.you }, said]);
      expect(watcher.connection.received.filter((event) => event.type === 'joined').map((event) => event.name)).toEqual([
        loud.welcome.you,
        newcomer.welcome.you,
        quiet.welcome.you,
      ]);
    });
  });

  describe('names', () => {
    it.each([
      ['teacher', '"teacher" is reserved'],
      ['Admin', '"admin" is reserved'],
      ['t%D0%B5acher', '"teacher" is reserved'],
      ['%EF%BD%93%EF%BD%99%EF%BD%93%EF%BD%94%EF%BD%85%EF%BD%8D', '"system" is reserved'],
      ['moderator_2', '"moderator" is reserved'],
      ['%E3%85%A4%E3%85%A4', 'it has letters that do not show'],
    ])('refuses ?name=%s at the handshake with 400', async (name, why) => {
      const { status, body } = await refusedHandshake(`${session.running.wsUrl}/ws/chat/lobby?name=${name}`);
      expect(status).toBe(400);
      expect(body).toContain(why);
      expect(body).toMatch(/^name "/);
    });

    it('refuses /nick to a reserved name with NAME_INVALID', async () => {
      const { connection } = await join('lobby');
      connection.send({ type: 'nick', name: 'socketbook' });
      expect(await connection.next('error')).toEqual({
        type: 'error',
        error: 'NAME_INVALID',
        message: 'name not allowed: "socketbook" is not allowed: "socketbook" is reserved, so no one can pass for the one running the class',
      });
    });

    it("gives someone else's look-alike name (a Cyrillic о) a name of its own, and says why", async () => {
      const owl = await join('lobby', '127.0.0.2', { name: 'nimble-owl' });
      const lookAlike = await join('lobby', '127.0.0.1', { name: 'nimble-\u043Ewl' });
      expect(lookAlike.welcome.you).not.toBe('nimble-\u043Ewl');
      expect(lookAlike.welcome.nameNote).toBe(`nimble-\u043Ewl looks like nimble-owl, who is here in lobby, so you are ${lookAlike.welcome.you}`);
      lookAlike.connection.send({ type: 'nick', name: 'nimbIe-owl' });
      expect(await lookAlike.connection.next('error')).toEqual({
        type: 'error',
        error: 'NAME_TAKEN',
        message: 'name already taken in this room: "nimbIe-owl" looks like nimble-owl, who is here in room lobby',
      });
      expect(owl.welcome.you).toBe('nimble-owl');
    });

    it('normalises a name with NFKC: fullwidth letters become the letters they stand for', async () => {
      const { welcome } = await join('lobby', '127.0.0.1', { name: '\uFF41\uFF44\uFF41' });
      expect(welcome.you).toBe('ada');
    });
  });

  describe('messages', () => {
    it('refuses text made only of invisible characters like whitespace-only text', async () => {
      const sender = await join('lobby');
      const bystander = await join('lobby', '127.0.0.2');
      for (const text of ['\u200B', '\u2060\uFEFF', ' \u200B\u00AD\u3164 ']) {
        sender.connection.send({ type: 'say', text });
        expect(await sender.connection.next('error')).toEqual({ type: 'error', error: 'EMPTY_TEXT', message: 'message text is empty: send at least one visible character' });
      }
      sender.connection.send({ type: 'say', text: 'visible\u200B' });
      expect((await bystander.connection.next('message')).text).toBe('visible\u200B');
    });

    it.each(['[]', '[{"type":"say","text":"hi"}]', '42', '"say"', 'null', 'true'])('answers %s (not an object) with INVALID_MESSAGE', async (raw) => {
      const { connection } = await join('lobby');
      connection.send(raw);
      expect(await connection.next('error')).toEqual({ type: 'error', error: 'INVALID_MESSAGE', message: 'message does not match the protocol: expected a JSON object with a "type" field' });
    });

    it("deduplicates clientIds per sender: another member's clientId is a new message, with its own id", async () => {
      const alice = await join('lobby', '127.0.0.2');
      const bob = await join('lobby', '127.0.0.3');
      alice.connection.send({ type: 'say', text: 'from alice', clientId: 'same-id' });
      const aliceAck = await alice.connection.next('ack');
      bob.connection.send({ type: 'say', text: 'from bob', clientId: 'same-id' });
      const bobAck = await bob.connection.next('ack');
      expect(bobAck).toEqual({ type: 'ack', clientId: 'same-id', id: aliceAck.id + 1, recipients: 2, duplicate: false });
      await alice.connection.next('message');
      expect(await alice.connection.next('message')).toMatchObject({ from: bob.welcome.you, text: 'from bob', id: bobAck.id });
      // Bob's own resend is still a duplicate, with his id.
      bob.connection.send({ type: 'say', text: 'from bob', clientId: 'same-id' });
      expect(await bob.connection.next('ack')).toEqual({ ...bobAck, duplicate: true });
    });
  });
});
