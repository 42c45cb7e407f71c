import { describe, expect, it } from 'vitest';
import { HeartbeatStore, type HeartbeatClock, type HeartbeatOptions, type ReconnectingSocketLike } from '../../../src/labs/heartbeat/store.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

/**
 * A FakeSocket that, like partysocket in a browser, reports a close of its
 * own making when told to reconnect, and garbles it the same way: its
 * re-dispatched event has `code` "close" and `reason` the original event.
 */
class FakeReconnectingSocket extends FakeSocket implements ReconnectingSocketLike {
  readonly reconnects: { code?: number; reason?: string }[] = [];

  reconnect(code?: number, reason?: string): void {
    this.reconnects.push({ ...(code === undefined ? {} : { code }), ...(reason === undefined ? {} : { reason }) });
    this.emit('close', { code: 'close', reason: new Event('close'), wasClean: true });
  }
}

/** A clock whose time moves only when the test says, running due callbacks as it goes. */
function manualClock() {
  let now = 0;
  const timers = new Set<{ every: number; next: number; callback: () => void }>();
  const clock: HeartbeatClock = {
    now: () => now,
    every(ms, callback) {
      const timer = { every: ms, next: now + ms, callback };
      timers.add(timer);
      return () => timers.delete(timer);
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers].filter((timer) => timer.next <= end).sort((a, b) => a.next - b.next)[0];
      if (due === undefined) break;
      now = due.next;
      due.next += due.every;
      due.callback();
    }
    now = end;
  };
  return { clock, advance };
}

const WELCOME = { type: 'welcome', intervalMs: 1000, timeoutMs: 3000, closeCode: 4000, topics: [] };

function setup(options: Partial<HeartbeatOptions> = {}) {
  const socket = new FakeReconnectingSocket();
  const { clock, advance } = manualClock();
  const store = new HeartbeatStore(socket, { tickMs: 100, ...options }, clock);
  const message = (value: object) => socket.emit('message', { data: JSON.stringify(value) });
  const sent = () => socket.sent.map((data) => JSON.parse(String(data)) as Record<string, unknown>);
  const open = () => {
    store.attemptStarted();
    socket.emit('open');
    message(WELCOME);
  };
  return { socket, store, advance, message, sent, open };
}

describe('HeartbeatStore', () => {
  it('subscribes to its topics on open and pings every interval, measuring the round trip', () => {
    const { store, advance, message, sent, open } = setup({ topics: ['wind'] });
    open();
    expect(sent()[0]).toEqual({ type: 'subscribe', topic: 'wind' });
    advance(100);
    expect(sent()[1]).toEqual({ type: 'ping', id: 1, sent: 100 });
    advance(5);
    message({ type: 'pong', id: 1, sent: 100 });
    expect(store.snapshot.rtt.client).toBe(5);
    expect(store.rttPoints('client')).toEqual([{ at: 105, rttMs: 5 }]);
    advance(1000);
    expect(sent().filter((m) => m.type === 'ping')).toHaveLength(2);
  });

  it('answers the server\'s pings, echoing id and sent, and records the round trips the server reports', () => {
    const { store, message, sent, open } = setup({ topics: [] });
    open();
    message({ type: 'ping', id: 7, sent: 123.5 });
    expect(sent()).toContainEqual({ type: 'pong', id: 7, sent: 123.5 });
    message({ type: 'rtt', kind: 'protocol', rttMs: 0.4, unknownPongs: 2 });
    message({ type: 'rtt', kind: 'application', rttMs: 0.9, unknownPongs: 2 });
    expect(store.snapshot.rtt).toEqual({ client: null, serverApplication: 0.9, serverProtocol: 0.4 });
    expect(store.snapshot.unknownPongs).toBe(2);
  });

  it('frozen, it ignores the server\'s pings and sends none of its own, until the server closes it', () => {
    const { socket, store, advance, message, sent, open } = setup({ topics: [] });
    open();
    advance(100);
    store.freezeClient();
    const before = sent().length;
    message({ type: 'ping', id: 1, sent: 0 });
    advance(5000);
    expect(sent()).toHaveLength(before);
    expect(store.snapshot.ignoredPings).toBe(1);
    socket.emit('close', { code: 4000, reason: 'heartbeat timeout: no pong to ping 1 within 3000 ms', wasClean: true });
    expect(store.snapshot).toMatchObject({ state: 'reconnecting', heartbeat: 'answering', lastClose: { code: 4000, by: 'server' } });
    expect(store.snapshot.events.at(-1)?.text).toBe(
      'Closed by the server with 4000 "heartbeat timeout: no pong to ping 1 within 3000 ms". That was 5.0 s after you froze this client (limit: interval + timeout = 4.0 s). Reconnecting…',
    );
  });

  it('declares the server dead when a ping goes unanswered for the timeout, and reconnects with 4000', () => {
    const { socket, store, advance, message, open } = setup({ topics: [] });
    open();
    advance(100);
    message({ type: 'pong', id: 1, sent: 100 });
    advance(1000);
    // Ping 2 went out at 1100 and is never answered; ping 3 at 2100, 4 at 3100.
    advance(2999);
    expect(socket.reconnects).toEqual([]);
    advance(100);
    expect(socket.reconnects).toEqual([{ code: 4000, reason: 'heartbeat timeout: no pong within 3000 ms' }]);
    expect(store.snapshot.lastClose).toEqual({ code: 4000, reason: 'heartbeat timeout: no pong within 3000 ms', by: 'client' });
    expect(store.snapshot.events.map((event) => event.kind).slice(-2)).toEqual(['timeout', 'closed']);
  });

  it('records each attempt with the delay before it, and which failed', () => {
    const { socket, store, advance, open } = setup({ topics: [] });
    open();
    expect(store.snapshot.attempts).toEqual([{ number: 1, startedAt: 0, delayMs: null, outcome: 'opened' }]);
    socket.emit('close', { code: 1006, reason: '', wasClean: false });
    expect(store.snapshot.attempts).toEqual([]);
    advance(500);
    store.attemptStarted();
    socket.emit('close', { code: 1000, reason: '', wasClean: true });
    advance(1000);
    store.attemptStarted();
    socket.emit('close', { code: 1000, reason: '', wasClean: true });
    advance(2000);
    store.attemptStarted();
    socket.emit('open');
    expect(store.snapshot.attempts.map(({ delayMs, outcome }) => ({ delayMs, outcome }))).toEqual([
      { delayMs: 500, outcome: 'failed' },
      { delayMs: 1000, outcome: 'failed' },
      { delayMs: 2000, outcome: 'opened' },
    ]);
    expect(store.snapshot.state).toBe('open');
    expect(store.snapshot.lastClose?.by).toBe('network');
  });

  it('restores its subscriptions after reconnecting and says how many updates happened meanwhile', () => {
    const { socket, store, message, sent, open } = setup({ topics: ['temperature', 'wind'] });
    open();
    message({ type: 'subscribed', topic: 'wind', seq: 10, value: 12.5, at: 0 });
    message({ type: 'update', topic: 'wind', seq: 11, value: 13, at: 0 });
    store.setWanted('temperature', false);
    socket.emit('close', { code: 1006, reason: '', wasClean: false });
    socket.sent.length = 0;
    open();
    expect(sent().filter((m) => m.type === 'subscribe')).toEqual([{ type: 'subscribe', topic: 'wind' }]);
    message({ type: 'subscribed', topic: 'wind', seq: 17, value: 9.1, at: 0 });
    expect(store.snapshot.topics.find((topic) => topic.name === 'wind')).toMatchObject({ wanted: true, seq: 17, value: 9.1, missed: 6 });
    expect(store.snapshot.events.at(-1)?.text).toBe('Restored wind at update #17: 6 updates happened while away; this is the latest.');
  });

  it('counts updates a surviving connection did not get', () => {
    const { store, message, open } = setup({ topics: ['wind'] });
    open();
    message({ type: 'subscribed', topic: 'wind', seq: 1, value: 1, at: 0 });
    message({ type: 'update', topic: 'wind', seq: 5, value: 2, at: 0 });
    expect(store.snapshot.topics.find((topic) => topic.name === 'wind')?.missed).toBe(3);
  });

  it('sends a freeze of 1–60 s to the server, and refuses other lengths', () => {
    const { store, message, sent, open } = setup({ topics: [] });
    expect(store.freezeServer(5)).toBe(false);
    expect(store.snapshot.problem).toBe('Not connected: wait for the connection to open.');
    open();
    expect(store.freezeServer(0)).toBe(false);
    expect(store.snapshot.problem).toBe('Freeze time must be an integer from 1 to 60 (seconds), got 0.');
    expect(store.freezeServer(5)).toBe(true);
    expect(sent().at(-1)).toEqual({ type: 'freeze', seconds: 5 });
    message({ type: 'frozen', seconds: 5 });
    expect(store.snapshot.serverFrozenUntil).toBe(5000);
    message({ type: 'thawed', frozenMs: 5001 });
    expect(store.snapshot.serverFrozenUntil).toBeNull();
  });

  it('marks failed attempts while the server is frozen', () => {
    const { socket, store, message, open } = setup({ topics: [] });
    open();
    message({ type: 'frozen', seconds: 10 });
    socket.reconnect(4000, 'heartbeat timeout: no pong within 3000 ms');
    store.attemptStarted();
    socket.emit('close', { code: 1000, reason: '', wasClean: true });
    expect(store.snapshot.events.at(-1)?.text).toBe('Attempt 1 failed before opening (the server is still frozen).');
  });

  it('keeps only the newest events and the round trips of the window', () => {
    const { store, advance, message, open } = setup({ topics: [], maxEvents: 3, windowMs: 1000 });
    open();
    for (let index = 0; index < 5; index++) message({ type: 'frozen', seconds: 1 });
    expect(store.snapshot.events).toHaveLength(3);
    message({ type: 'rtt', kind: 'protocol', rttMs: 1, unknownPongs: 0 });
    advance(2000);
    message({ type: 'rtt', kind: 'protocol', rttMs: 2, unknownPongs: 0 });
    expect(store.rttPoints('serverProtocol').map((point) => point.rttMs)).toEqual([2]);
  });
});
