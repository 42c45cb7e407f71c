import { afterEach, describe, expect, it } from 'vitest';
import type { JoinResult, RoomSink } from '../../../../demo-server/routes/chat/broker.ts';
import { MemoryChatBroker } from '../../../../demo-server/routes/chat/memory-broker.ts';
import type { RoomEvent, TypingEvent } from '../../../../src/shared/protocol/chat.ts';

/** A sink that records what a member was sent, as the wire JSON it got. */
function recorder(): RoomSink & { readonly events: (RoomEvent | TypingEvent)[] } {
  const events: (RoomEvent | TypingEvent)[] = [];
  return {
    events,
    deliver(event, wire) {
      expect(JSON.parse(wire)).toEqual(event);
      events.push(event);
    },
  };
}

function joined(result: JoinResult) {
  if (!result.ok) throw new Error(`join refused: ${result.detail}`);
  return result;
}

describe('MemoryChatBroker', () => {
  let broker: MemoryChatBroker;
  afterEach(() => {
    broker.dispose();
  });

  it('keeps the last historyLength events and forgets the clientIds of dropped messages', async () => {
    broker = new MemoryChatBroker({ historyLength: 3, historyOnJoin: 3 });
    const alice = joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: 'alice', resume: null }, recorder()));
    await alice.membership.say('one', 'c1');
    await alice.membership.say('two', 'c2');
    await alice.membership.say('three', 'c3');
    await alice.membership.say('four', 'c4');
    // The history is now #3–#5: c1 (#2) has left it, so a resend of c1 is a new message.
    expect(await alice.membership.say('one again', 'c1')).toEqual({ id: 6, recipients: 1, duplicate: false });
    expect(await alice.membership.say('three', 'c3')).toEqual({ id: 4, recipients: 1, duplicate: true });
    const late = joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: null, resume: null }, recorder()));
    expect(late.welcome.history.map((event) => event.id)).toEqual([5, 6, 7]);
  });

  it('sends a new member only historyOnJoin events', async () => {
    broker = new MemoryChatBroker({ historyLength: 10, historyOnJoin: 2 });
    const alice = joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: null, resume: null }, recorder()));
    await alice.membership.say('a', null);
    await alice.membership.say('b', null);
    const bob = joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: null, resume: null }, recorder()));
    expect(bob.welcome.history.map((event) => event.type)).toEqual(['message', 'joined']);
  });

  it('turns a typing indicator off by itself after typingTimeoutMs, and refreshes it without repeating it', async () => {
    broker = new MemoryChatBroker({ typingTimeoutMs: 150 });
    const alice = joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: 'alice', resume: null }, recorder()));
    const bobSink = recorder();
    joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: 'bob', resume: null }, bobSink));
    await alice.membership.setTyping(true);
    await alice.membership.setTyping(true);
    const typing = () => bobSink.events.filter((event) => event.type === 'typing');
    expect(typing()).toEqual([{ type: 'typing', name: 'alice', typing: true }]);
    await expect.poll(typing, { timeout: 2_000 }).toEqual([
      { type: 'typing', name: 'alice', typing: true },
      { type: 'typing', name: 'alice', typing: false },
    ]);
  });

  it('keeps an empty room for emptyRoomRetentionMs so members can resume, then forgets it', async () => {
    broker = new MemoryChatBroker({ emptyRoomRetentionMs: 100 });
    const alice = joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: null, resume: null }, recorder()));
    await alice.membership.leave();
    await alice.membership.leave();
    expect(await broker.rooms()).toEqual([{ name: 'r', members: 0, lastId: 2 }]);
    const back = joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: null, resume: { since: 1, epoch: alice.welcome.epoch } }, recorder()));
    expect(back.welcome.resume).toMatchObject({ status: 'complete', delivered: 2 });
    await back.membership.leave();
    await expect.poll(() => broker.rooms(), { timeout: 2_000 }).toEqual([]);
    const anew = joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: null, resume: { since: 4, epoch: alice.welcome.epoch } }, recorder()));
    expect(anew.welcome.epoch).not.toBe(alice.welcome.epoch);
    expect(anew.welcome.resume).toMatchObject({ status: 'reset', lost: null });
  });

  it('assigns unique names even when the preferred one differs only in case', async () => {
    broker = new MemoryChatBroker();
    joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: 'Ada', resume: null }, recorder()));
    const second = joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: 'ada', resume: null }, recorder()));
    expect(second.welcome.you).not.toMatch(/^ada$/i);
    expect(second.welcome.nameNote).toMatch(/^ada is taken in r, so you are /);
  });

  it('lets a member change the case of their own name', async () => {
    broker = new MemoryChatBroker();
    const ada = joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: 'ada', resume: null }, recorder()));
    expect(await ada.membership.rename('Ada')).toEqual({ ok: true });
    expect(ada.membership.name).toBe('Ada');
    expect(await ada.membership.rename('Ada')).toEqual({ ok: false, error: 'NAME_INVALID', detail: 'you are already Ada' });
  });

  it('keeps delivering to the other members when one sink throws', async () => {
    broker = new MemoryChatBroker();
    const alice = joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: 'alice', resume: null }, recorder()));
    joined(
      await broker.join(
        { room: 'r', address: '10.0.0.1', preferredName: 'broken', resume: null },
        {
          deliver() {
            throw new Error('socket gone');
          },
        },
      ),
    );
    const carolSink = recorder();
    joined(await broker.join({ room: 'r', address: '10.0.0.1', preferredName: 'carol', resume: null }, carolSink));
    await alice.membership.say('hi', null);
    expect(carolSink.events.map((event) => event.type)).toEqual(['message']);
  });

  it('refuses a join after dispose', async () => {
    broker = new MemoryChatBroker();
    broker.dispose();
    await expect(broker.join({ room: 'r', address: '10.0.0.1', preferredName: null, resume: null }, recorder())).rejects.toThrow('chat broker is disposed');
  });
});
