import { describe, expect, it } from 'vitest';
import { EchoStore, MAX_ECHO_ENTRIES, type EchoSnapshot } from '../../../src/labs/echo/store.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

function setup() {
  const socket = new FakeSocket();
  let monotonic = 0;
  const clock = { monotonic: () => monotonic, wall: () => 1_700_000_000_000 + monotonic };
  const store = new EchoStore(socket, clock);
  const advance = (ms: number) => {
    monotonic += ms;
  };
  return { socket, store, advance };
}

describe('EchoStore', () => {
  it('starts connecting and asks for ArrayBuffers', () => {
    const { socket, store } = setup();
    expect(store.snapshot.state).toBe('connecting');
    expect(socket.binaryType).toBe('arraybuffer');
  });

  it('refuses to send before the socket is open, and says why', () => {
    const { socket, store } = setup();
    expect(store.send('hi', false)).toBe(false);
    expect(socket.sent).toEqual([]);
    expect(store.snapshot.sendError).toMatch(/^Not connected/);
  });

  it('logs a sent text message and its echo with the round-trip time', () => {
    const { socket, store, advance } = setup();
    socket.emit('open');
    store.send('héllo', false);
    advance(3);
    socket.emit('message', { data: 'héllo' });
    const [sent, received] = store.snapshot.entries;
    expect(socket.sent).toEqual(['héllo']);
    expect(sent).toMatchObject({ direction: 'sent', kind: 'text', preview: 'héllo', bytes: 6, roundTripMs: null });
    expect(received).toMatchObject({ direction: 'received', kind: 'text', preview: 'héllo', bytes: 6, roundTripMs: 3 });
  });

  it('sends binary as UTF-8 bytes and shows binary echoes in hex', () => {
    const { socket, store } = setup();
    socket.emit('open');
    store.send('Hi', true);
    expect(socket.sent[0]).toEqual(new Uint8Array([0x48, 0x69]));
    socket.emit('message', { data: new Uint8Array([0x48, 0x69]).buffer });
    expect(store.snapshot.entries[1]).toMatchObject({ kind: 'binary', preview: '48 69', bytes: 2 });
  });

  it('matches echoes to sends in order', () => {
    const { socket, store, advance } = setup();
    socket.emit('open');
    store.send('a', false);
    advance(1);
    store.send('b', false);
    advance(4);
    socket.emit('message', { data: 'a' });
    socket.emit('message', { data: 'b' });
    expect(store.snapshot.entries.filter((entry) => entry.direction === 'received').map((entry) => entry.roundTripMs)).toEqual([5, 4]);
  });

  it('reports a close after open as closed, with code, reason and wasClean', () => {
    const { socket, store } = setup();
    socket.emit('open');
    socket.emit('close', { code: 1001, reason: 'server shutting down', wasClean: true });
    expect(store.snapshot.state).toBe('closed');
    expect(store.snapshot.lastClose).toEqual({ code: 1001, reason: 'server shutting down', wasClean: true });
  });

  it('reports attempts that never open as unreachable, counting them, until an open resets the count', () => {
    const { socket, store } = setup();
    socket.emit('close', { code: 1006, reason: '', wasClean: false });
    socket.emit('close', { code: 1006, reason: '', wasClean: false });
    expect(store.snapshot).toMatchObject({ state: 'unreachable', failedAttempts: 2 });
    socket.emit('open');
    expect(store.snapshot).toMatchObject({ state: 'open', failedAttempts: 0 });
  });

  it('keeps the newest MAX_ECHO_ENTRIES entries and notifies subscribers', () => {
    const { socket, store } = setup();
    const seen: EchoSnapshot[] = [];
    store.subscribe((snapshot) => seen.push(snapshot));
    socket.emit('open');
    for (let index = 0; index < MAX_ECHO_ENTRIES + 10; index++) store.send(String(index), false);
    expect(store.snapshot.entries).toHaveLength(MAX_ECHO_ENTRIES);
    expect(store.snapshot.entries[0]?.preview).toBe('10');
    expect(seen.at(-1)).toBe(store.snapshot);
  });
});
