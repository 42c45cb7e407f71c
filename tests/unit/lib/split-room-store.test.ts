import { describe, expect, it } from 'vitest';
import { SplitRoomStore } from '../../../src/labs/split-room/store.ts';
import type { WelcomeMessage } from '../../../src/shared/protocol/chat.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

const LIMITS = { maxTextChars: 200, messagesPerSecond: 5, burstMessages: 3, historyLength: 500, typingTimeoutMs: 4000 };

function welcome(you: string, epoch: string): WelcomeMessage {
  return { type: 'welcome', room: 'split-t', you, nameNote: null, epoch, members: [you], typing: [], history: [], lastId: 1, resume: null, limits: LIMITS };
}

function setup() {
  const opened: { url: string; socket: FakeSocket }[] = [];
  const store = new SplitRoomStore({
    room: 'split-t',
    open: (url) => {
      const socket = new FakeSocket();
      opened.push({ url, socket });
      return socket;
    },
  });
  store.connect({ a: 'ws://127.0.0.1:8081', b: 'ws://127.0.0.1:8082' });
  const [a, b] = opened.map((each) => each.socket) as [FakeSocket, FakeSocket];
  const receive = (socket: FakeSocket, message: object) => socket.emit('message', { data: JSON.stringify(message) });
  return { store, opened, a, b, receive };
}

describe('SplitRoomStore', () => {
  it('joins the same room on both servers and waits for both welcomes before judging', () => {
    const { store, opened, a, receive } = setup();
    expect(opened.map((each) => each.url)).toEqual(['ws://127.0.0.1:8081/ws/chat/split-t', 'ws://127.0.0.1:8082/ws/chat/split-t']);
    a.emit('open');
    receive(a, welcome('otter', 'e1'));
    expect(store.snapshot.verdict).toBe('waiting');
    expect(store.snapshot.panes.a).toMatchObject({ state: 'open', you: 'otter', epoch: 'e1' });
    expect(store.snapshot.panes.b.state).toBe('connecting');
  });

  it('calls two epochs a split room and one epoch a shared room', () => {
    const split = setup();
    split.receive(split.a, welcome('otter', 'e1'));
    split.receive(split.b, welcome('heron', 'e2'));
    expect(split.store.snapshot.verdict).toBe('split');
    const shared = setup();
    shared.receive(shared.a, welcome('otter', 'e1'));
    shared.receive(shared.b, welcome('heron', 'e1'));
    expect(shared.store.snapshot.verdict).toBe('shared');
  });

  it('sends a say only from a joined pane, and marks the messages a pane sent as its own', () => {
    const { store, a, receive } = setup();
    expect(store.say('a', 'too early')).toBe(false);
    a.emit('open');
    receive(a, welcome('otter', 'e1'));
    expect(store.say('a', 'hello')).toBe(true);
    expect(a.sent).toEqual([JSON.stringify({ type: 'say', text: 'hello' })]);
    receive(a, { type: 'message', id: 2, at: 1, from: 'otter', text: 'hello' });
    receive(a, { type: 'message', id: 3, at: 2, from: 'heron', text: 'hi' });
    receive(a, { type: 'message', id: 3, at: 2, from: 'heron', text: 'hi' });
    expect(store.snapshot.panes.a.messages).toEqual([
      { id: 2, from: 'otter', text: 'hello', mine: true },
      { id: 3, from: 'heron', text: 'hi', mine: false },
    ]);
  });

  it('says a pane is unreachable when its socket closes before a welcome, and closed after one', () => {
    const { store, a, b, receive } = setup();
    b.emit('close', { code: 1006, reason: '', wasClean: false });
    expect(store.snapshot.panes.b).toMatchObject({ state: 'unreachable', problem: 'no demo server answered at ws://127.0.0.1:8082 (close 1006)' });
    receive(a, welcome('otter', 'e1'));
    a.emit('close', { code: 1001, reason: 'going away', wasClean: true });
    expect(store.snapshot.panes.a).toMatchObject({ state: 'closed', problem: 'closed with 1001 going away' });
  });
});
