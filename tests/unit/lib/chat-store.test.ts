import { describe, expect, it } from 'vitest';
import { chatShouldReconnect, ChatStore, type ChatEntry, type ChatTimers } from '../../../src/shared/chat-store.ts';
import type { ChatServerMessage, RoomEvent, WelcomeMessage } from '../../../src/shared/protocol/chat.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

class FakeReconnectingSocket extends FakeSocket {
  reconnects = 0;
  reconnect(): void {
    this.reconnects += 1;
  }
}

/** Timers that run only when the test advances time; the clock reads the same time. */
class ManualTimers implements ChatTimers {
  now = 0;
  #pending: { at: number; callback: () => void; handle: number }[] = [];
  #nextHandle = 1;
  setTimeout(callback: () => void, ms: number): number {
    const handle = this.#nextHandle++;
    this.#pending.push({ at: this.now + ms, callback, handle });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.#pending = this.#pending.filter((timer) => timer.handle !== handle);
  }
  advance(ms: number): void {
    this.now += ms;
    for (;;) {
      const due = this.#pending.find((timer) => timer.at <= this.now);
      if (due === undefined) return;
      this.#pending = this.#pending.filter((timer) => timer !== due);
      due.callback();
    }
  }
}

const LIMITS = { maxTextChars: 20, messagesPerSecond: 5, burstMessages: 3, historyLength: 500, typingTimeoutMs: 4000 };

function welcome(overrides: Partial<WelcomeMessage> = {}): WelcomeMessage {
  return {
    type: 'welcome',
    room: 'lobby',
    you: 'brave-otter',
    nameNote: null,
    epoch: 'e1',
    members: ['quiet-heron', 'brave-otter'],
    typing: [],
    history: [
      { type: 'joined', id: 1, at: 1000, name: 'quiet-heron' },
      { type: 'joined', id: 2, at: 2000, name: 'brave-otter' },
    ],
    lastId: 2,
    resume: null,
    limits: LIMITS,
    ...overrides,
  };
}

function setup() {
  const socket = new FakeReconnectingSocket();
  const timers = new ManualTimers();
  let clientIds = 0;
  const store = new ChatStore(socket, {
    room: 'lobby',
    clock: { monotonic: () => timers.now, wall: () => 1_700_000_000_000 + timers.now },
    timers,
    newClientId: () => `c${String(++clientIds)}`,
  });
  const receive = (message: ChatServerMessage) => {
    socket.emit('message', { data: JSON.stringify(message) });
  };
  const join = (overrides: Partial<WelcomeMessage> = {}) => {
    socket.emit('open');
    receive(welcome(overrides));
  };
  const sent = () => socket.sent.map((data) => JSON.parse(String(data)) as Record<string, unknown>);
  return { socket, timers, store, receive, join, sent };
}

const describeEntry = (entry: ChatEntry): string => {
  if (entry.kind === 'notice') return `${entry.tone}: ${entry.text}`;
  const { event } = entry;
  switch (event.type) {
    case 'message':
      return `#${String(event.id)} ${event.from}: ${event.text}${entry.mine ? ' (mine)' : ''}`;
    case 'renamed':
      return `#${String(event.id)} ${event.from} → ${event.to}`;
    default:
      return `#${String(event.id)} ${event.type} ${event.name}`;
  }
};
const timeline = (store: ChatStore) => store.snapshot.entries.map(describeEntry);

describe('ChatStore', () => {
  it('connects without a resume point, then joins with the welcome', () => {
    const { store, join } = setup();
    expect(store.snapshot.state).toBe('connecting');
    expect(store.connectUrl('ws://h:1')).toBe('ws://h:1/ws/chat/lobby');
    join();
    expect(store.snapshot).toMatchObject({ state: 'open', you: 'brave-otter', members: ['quiet-heron', 'brave-otter'], lastId: 2, epoch: 'e1' });
    expect(timeline(store)).toEqual(['info: Joined room lobby as brave-otter.', '#1 joined quiet-heron', '#2 joined brave-otter']);
    expect(store.connectUrl('ws://h:1')).toBe('ws://h:1/ws/chat/lobby?since=2&epoch=e1&name=brave-otter');
  });

  it('sends a message with a clientId, keeps it in the outbox until it comes back, and marks it mine', () => {
    const { store, join, receive, sent } = setup();
    join();
    expect(store.say('hello')).toBe(true);
    expect(sent()).toEqual([{ type: 'say', text: 'hello', clientId: 'c1' }]);
    expect(store.snapshot.outbox).toEqual([{ clientId: 'c1', text: 'hello', state: 'sent' }]);
    receive({ type: 'message', id: 3, at: 3000, from: 'brave-otter', text: 'hello', clientId: 'c1' });
    expect(store.snapshot.outbox).toEqual([]);
    expect(timeline(store).at(-1)).toBe('#3 brave-otter: hello (mine)');
  });

  it('queues messages typed before joining and sends them after the welcome', () => {
    const { store, join, sent } = setup();
    store.say('early');
    expect(sent()).toEqual([]);
    expect(store.snapshot.outbox).toEqual([{ clientId: 'c1', text: 'early', state: 'queued' }]);
    join();
    expect(sent()).toEqual([{ type: 'say', text: 'early', clientId: 'c1' }]);
  });

  it('refuses empty, invisible-only and over-long text before sending, saying why', () => {
    const { store, join, sent } = setup();
    join();
    expect(store.say('   ')).toBe(false);
    expect(store.snapshot.sendError).toBe('Type a message first.');
    // Invisible characters only (zero width space, word joiner, BOM) read as empty too, as the server refuses them.
    expect(store.say('\u200B\u2060\uFEFF')).toBe(false);
    expect(store.say('x'.repeat(21))).toBe(false);
    expect(store.snapshot.sendError).toBe('Too long: 21 characters; this room allows 20.');
    expect(sent()).toEqual([]);
  });

  it('paces sends to the rate the server announced instead of being dropped', () => {
    const { store, join, sent, timers } = setup();
    join();
    for (const text of ['a', 'b', 'c', 'd', 'e']) store.say(text);
    // Burst 3 announced; the store keeps one token in hand.
    expect(sent().map((message) => message.text)).toEqual(['a', 'b']);
    timers.advance(250);
    expect(sent().map((message) => message.text)).toEqual(['a', 'b', 'c']);
    timers.advance(500);
    expect(sent().map((message) => message.text)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('ignores an event whose id it has seen, and counts it', () => {
    const { store, join, receive } = setup();
    join();
    receive({ type: 'joined', id: 2, at: 2000, name: 'brave-otter' });
    expect(store.snapshot.duplicatesIgnored).toBe(1);
    expect(store.snapshot.entries).toHaveLength(3);
  });

  it('resumes after a drop: resends what was not confirmed, shows exactly the missed events, and the server report', () => {
    const { socket, store, join, sent } = setup();
    join();
    store.say('in flight');
    socket.emit('close', { code: 1006, reason: '', wasClean: false });
    expect(store.snapshot).toMatchObject({ state: 'closed', typing: [] });
    expect(store.snapshot.outbox).toEqual([{ clientId: 'c1', text: 'in flight', state: 'queued' }]);
    store.say('typed offline');
    expect(store.connectUrl('ws://h:1')).toBe('ws://h:1/ws/chat/lobby?since=2&epoch=e1&name=brave-otter');
    const missed: RoomEvent[] = [
      { type: 'left', id: 3, at: 3000, name: 'brave-otter' },
      { type: 'message', id: 4, at: 4000, from: 'quiet-heron', text: 'you there?' },
      { type: 'message', id: 5, at: 4500, from: 'brave-otter', text: 'in flight', clientId: 'c1' },
      { type: 'joined', id: 6, at: 5000, name: 'brave-otter' },
    ];
    join({ history: missed, lastId: 6, resume: { since: 2, status: 'complete', delivered: 4, lost: 0, message: 'resumed after #2: 4 events you missed' } });
    expect(timeline(store).slice(3)).toEqual([
      'error: The connection dropped without a close frame (1006 Abnormal Closure). Reconnecting in a moment, resuming after #2…',
      'info: Back: resumed after #2: 4 events you missed.',
      '#3 left brave-otter',
      '#4 quiet-heron: you there?',
      '#5 brave-otter: in flight (mine)',
      '#6 joined brave-otter',
    ]);
    // "in flight" reached the server before the drop, so only "typed offline" is sent.
    expect(sent().slice(1)).toEqual([{ type: 'say', text: 'typed offline', clientId: 'c2' }]);
    expect(store.snapshot.lastId).toBe(6);
  });

  it('warns in the timeline when the server reports a gap or a reset', () => {
    const { socket, store, join } = setup();
    join();
    socket.emit('close', { code: 1001, reason: 'server shutting down', wasClean: true });
    join({
      epoch: 'e2',
      history: [{ type: 'joined', id: 1, at: 9000, name: 'brave-otter' }],
      lastId: 1,
      resume: { since: 2, status: 'reset', delivered: 1, lost: null, message: 'id #2 is from an earlier run of room lobby' },
    });
    // Ids restarted with the new epoch: #1 is new, not a duplicate.
    expect(timeline(store).slice(-2)).toEqual(['warning: Back: id #2 is from an earlier run of room lobby.', '#1 joined brave-otter']);
    expect(store.snapshot).toMatchObject({ lastId: 1, epoch: 'e2', duplicatesIgnored: 0 });
  });

  it('tracks members, renames (its own too) and who is typing', () => {
    const { store, join, receive } = setup();
    join();
    receive({ type: 'joined', id: 3, at: 3000, name: 'calm-lynx' });
    receive({ type: 'typing', name: 'calm-lynx', typing: true });
    receive({ type: 'typing', name: 'quiet-heron', typing: true });
    expect(store.snapshot.typing).toEqual(['calm-lynx', 'quiet-heron']);
    receive({ type: 'message', id: 4, at: 4000, from: 'calm-lynx', text: 'hi' });
    expect(store.snapshot.typing).toEqual(['quiet-heron']);
    receive({ type: 'renamed', id: 5, at: 5000, from: 'brave-otter', to: 'ada' });
    receive({ type: 'left', id: 6, at: 6000, name: 'quiet-heron' });
    expect(store.snapshot).toMatchObject({ you: 'ada', members: ['ada', 'calm-lynx'], typing: [] });
  });

  it('sends typing on, refreshes it before the server timeout, and off when the draft is cleared', () => {
    const { store, join, sent, timers } = setup();
    join();
    store.composing('h');
    store.composing('he');
    timers.advance(2000);
    store.composing('hel');
    store.composing('');
    expect(sent()).toEqual([
      { type: 'typing', typing: true },
      { type: 'typing', typing: true },
      { type: 'typing', typing: false },
    ]);
  });

  it('shows server errors in the timeline, rate warnings as warnings', () => {
    const { store, join, receive } = setup();
    join();
    receive({ type: 'error', error: 'NAME_TAKEN', message: 'name already taken in this room: "ada" is taken in room lobby' });
    receive({ type: 'error', error: 'RATE_WARNING', message: 'slow down' });
    expect(timeline(store).slice(-2)).toEqual(['error: name already taken in this room: "ada" is taken in room lobby', 'warning: slow down']);
  });

  it('floods on purpose, and discards its outbox when closed with 1008 instead of flooding again', () => {
    const { socket, store, join, sent } = setup();
    join();
    store.flood(4);
    expect(sent().map((message) => message.text)).toEqual(['flood 1 of 4', 'flood 2 of 4', 'flood 3 of 4', 'flood 4 of 4']);
    for (const text of ['x', 'y', 'z']) store.say(text);
    socket.emit('close', { code: 1008, reason: 'too many messages', wasClean: true });
    expect(store.snapshot.outbox).toEqual([]);
    expect(store.snapshot.state).toBe('closed');
    expect(timeline(store).at(-1)).toBe(
      `error: The server closed the connection with 1008 Policy Violation: "too many messages". 3 unconfirmed messages discarded: sending them again would break the limit again. Reconnecting in a moment, resuming after #${String(store.snapshot.lastId)}…`,
    );
  });

  it('reconnects after its server\'s 1008 (the burst is over) but not after other do-not-return codes', () => {
    expect(chatShouldReconnect({ code: 1008 })).toBe(true);
    expect(chatShouldReconnect({ code: 1001 })).toBe(true);
    for (const code of [1000, 1003, 1009, 4401]) expect(chatShouldReconnect({ code }), String(code)).toBe(false);
    const { socket, store, join } = setup();
    join();
    socket.emit('close', { code: 1003, reason: 'binary', wasClean: true });
    expect(store.snapshot.state).toBe('stopped');
    expect(timeline(store).at(-1)).toBe(
      'error: The server closed the connection with 1003 Unsupported Data: "binary". Not reconnecting: this code means "do not come straight back". Press Reconnect to join again.',
    );
    store.goOnline();
    expect(socket.reconnects).toBe(1);
    expect(store.snapshot.state).toBe('connecting');
  });

  it('goes offline on request, keeps typed messages, and resumes on goOnline', () => {
    const { socket, store, join } = setup();
    join();
    store.goOffline();
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'offline' });
    socket.emit('close', { code: 1000, reason: 'offline', wasClean: true });
    expect(store.snapshot.state).toBe('offline');
    store.say('later');
    expect(store.snapshot.outbox).toEqual([{ clientId: 'c1', text: 'later', state: 'queued' }]);
    store.goOnline();
    expect(socket.reconnects).toBe(1);
    expect(store.snapshot.state).toBe('connecting');
  });

  it('leaves for good without reporting a disconnect', () => {
    const { socket, store, join } = setup();
    join();
    store.leave();
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'bye' });
    socket.emit('close', { code: 1000, reason: 'bye', wasClean: true });
    expect(store.snapshot.state).toBe('left');
    expect(timeline(store).some((line) => line.includes('Disconnected'))).toBe(false);
  });

  it('counts attempts that never open as unreachable', () => {
    const { socket, store } = setup();
    socket.emit('close', { code: 1006, reason: '', wasClean: false });
    socket.emit('close', { code: 1006, reason: '', wasClean: false });
    expect(store.snapshot).toMatchObject({ state: 'unreachable', failedAttempts: 2 });
  });

  it('keeps the rooms list the server sends', () => {
    const { store, join, receive, sent } = setup();
    join();
    store.requestRooms();
    expect(sent()).toEqual([{ type: 'rooms' }]);
    receive({ type: 'rooms', rooms: [{ name: 'lobby', members: 2, lastId: 9 }] });
    expect(store.snapshot.rooms).toEqual([{ name: 'lobby', members: 2, lastId: 9 }]);
  });
});
