import { describe, expect, it } from 'vitest';
import { MAX_LAB_RECONNECTS, ReconnectLabStore, reconnectLabUrl, RECONNECT_CHOICES } from '../../../src/labs/reconnect/store.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

class FakeReconnectingSocket extends FakeSocket {
  shouldReconnect = true;
}

function setup() {
  const sockets: { url: () => string; socket: FakeReconnectingSocket }[] = [];
  let now = 0;
  const store = new ReconnectLabStore({
    server: 'ws://demo:8080',
    open: (url) => {
      const socket = new FakeReconnectingSocket();
      sockets.push({ url, socket });
      return socket;
    },
    now: () => now,
  });
  const advance = (ms: number) => {
    now += ms;
  };
  const texts = () => store.snapshot.entries.map((entry) => entry.text);
  return { store, sockets, advance, texts };
}

describe('reconnectLabUrl', () => {
  it('asks /ws/close to end each connection the chosen way after a short while', () => {
    const drop = RECONNECT_CHOICES.find((choice) => choice.id === '1006');
    expect(drop && reconnectLabUrl('ws://demo:8080', drop)).toBe('ws://demo:8080/ws/close?action=drop&afterMs=300');
  });
});

describe('ReconnectLabStore', () => {
  it('logs each open, each close with the policy verdict, and the delay before the reconnect', () => {
    const { store, sockets, advance, texts } = setup();
    store.start('1012');
    const socket = sockets[0]?.socket ?? new FakeReconnectingSocket();
    expect(sockets[0]?.url()).toBe('ws://demo:8080/ws/close?code=1012&reason=restarting&afterMs=300');
    socket.emit('open');
    advance(300);
    socket.emit('close', { code: 1012, reason: 'restarting', wasClean: true });
    advance(620);
    socket.emit('open');
    expect(texts()).toEqual([
      'Connection 1 open.',
      'Closed with 1012 "restarting" (clean): the policy says reconnect, with backoff.',
      'Connection 2 open, 0.62 s after the close.',
    ]);
    expect(store.snapshot).toMatchObject({ state: 'running', opens: 2 });
  });

  it('stops when partysocket will not reconnect', () => {
    const { store, sockets, texts } = setup();
    store.start('4401');
    const socket = sockets[0]?.socket ?? new FakeReconnectingSocket();
    socket.emit('open');
    socket.shouldReconnect = false;
    socket.emit('close', { code: 4401, reason: 'token expired', wasClean: true });
    expect(texts().at(-1)).toBe('Closed with 4401 "token expired" (clean): the policy says do not reconnect. Stopped.');
    expect(store.snapshot.state).toBe('stopped');
  });

  it(`stops the run itself after ${String(MAX_LAB_RECONNECTS)} reconnects`, () => {
    const { store, sockets, texts } = setup();
    store.start('1006');
    const socket = sockets[0]?.socket ?? new FakeReconnectingSocket();
    for (let index = 0; index <= MAX_LAB_RECONNECTS; index++) {
      socket.emit('open');
      socket.emit('close', { code: 1006, reason: '', wasClean: false });
    }
    expect(store.snapshot.state).toBe('stopped');
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'lab limit' });
    expect(texts().at(-1)).toMatch(/^The lab stops after 3 reconnects/);
    expect(store.snapshot.opens).toBe(MAX_LAB_RECONNECTS + 1);
  });

  it("says when a close is partysocket's own, after a failed attempt", () => {
    const { store, sockets, texts } = setup();
    store.start('1001');
    const socket = sockets[0]?.socket ?? new FakeReconnectingSocket();
    socket.emit('error');
    socket.emit('close', { code: 1000, reason: '', wasClean: true });
    expect(texts()).toEqual([
      "Could not connect (an error event; partysocket reports it as its own close 1000): the policy says reconnect, with backoff.",
    ]);
  });

  it('stops on request and ignores the old socket afterwards', () => {
    const { store, sockets, texts } = setup();
    store.start('1001');
    const socket = sockets[0]?.socket ?? new FakeReconnectingSocket();
    store.stop();
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'stopped' });
    socket.emit('open');
    expect(texts()).toEqual(['Stopped by you.']);
    expect(store.snapshot.state).toBe('stopped');
  });

  it('starts over with a new socket for a new run', () => {
    const { store, sockets } = setup();
    store.start('1001');
    store.start('1008');
    expect(sockets[0]?.socket.closedWith).toEqual({ code: 1000, reason: 'new run' });
    expect(sockets[1]?.url()).toContain('code=1008');
    expect(store.snapshot.choice?.id).toBe('1008');
  });

  it('throws on an unknown choice', () => {
    const { store } = setup();
    expect(() => store.start('1234')).toThrow(/^no reconnect choice "1234"; expected one of 1001, 1006/);
  });
});
