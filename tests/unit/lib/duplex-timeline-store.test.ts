import { describe, expect, it } from 'vitest';
import { countCrossings, DuplexTimelineStore, flightOf, mean, pollingSchedule, type TimelineMessage } from '../../../src/labs/duplex-timeline/store.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

function setup() {
  let now = 1_000_000;
  const sockets: { latencyMs: number; socket: FakeSocket }[] = [];
  const store = new DuplexTimelineStore(
    (latencyMs) => {
      const socket = new FakeSocket();
      sockets.push({ latencyMs, socket });
      return socket;
    },
    { latencyMs: 100, symbols: ['SPY'], now: () => now },
  );
  const advance = (ms: number) => {
    now += ms;
  };
  const socket = () => sockets.at(-1)?.socket ?? new FakeSocket();
  const receive = (message: object) => socket().emit('message', { data: JSON.stringify(message) });
  return { store, sockets, socket, receive, advance, now: () => now };
}

const message = (direction: 'up' | 'down', pageTime: number, serverTime: number | null): TimelineMessage => ({
  id: pageTime,
  direction,
  kind: direction === 'up' ? 'ping' : 'price',
  label: '',
  pageTime,
  serverTime,
});

describe('DuplexTimelineStore', () => {
  it('subscribes and pings on open, and records both as up messages in flight', () => {
    const { store, socket } = setup();
    socket().emit('open');
    expect(socket().sent.map((data) => JSON.parse(String(data)) as { type: string })).toMatchObject([
      { type: 'subscribe', symbols: ['SPY'] },
      { type: 'ping', id: 1, sent: 1_000_000 },
    ]);
    expect(store.snapshot.messages.map((entry) => [entry.direction, entry.label, entry.serverTime])).toEqual([
      ['up', 'subscribe SPY', null],
      ['up', 'ping #1', null],
    ]);
  });

  it('estimates the clock offset from a pong and places the ping’s arrival on the server', () => {
    const { store, socket, receive, advance } = setup();
    socket().emit('open');
    advance(200);
    // The server's clock is 5 s ahead; it handled the ping 100 ms after it was sent.
    receive({ type: 'pong', id: 1, sent: 1_000_000, time: 1_005_100 });
    expect(store.snapshot.clockOffsetMs).toBe(5_000);
    expect(store.snapshot.lastRoundTripMs).toBe(200);
    const ping = store.snapshot.messages.find((entry) => entry.label === 'ping #1');
    expect(ping?.serverTime).toBe(1_005_100);
    expect(ping && flightOf(ping, 5_000)).toEqual({ departedAt: 1_000_000, arrivedAt: 1_000_100 });
  });

  it('shows each pong together with its own round trip, in every snapshot', () => {
    const { store, socket, receive, advance } = setup();
    const seen: [string | undefined, number | null][] = [];
    store.subscribe((snapshot) => seen.push([snapshot.messages.findLast((entry) => entry.kind === 'pong')?.label, snapshot.lastRoundTripMs]));
    socket().emit('open');
    advance(200);
    receive({ type: 'pong', id: 1, sent: 1_000_000, time: 1_000_100 });
    store.ping();
    advance(300);
    receive({ type: 'pong', id: 2, sent: 1_000_200, time: 1_000_350 });
    // No snapshot shows a pong beside another pong's round trip.
    expect(new Set(seen.filter(([label]) => label === 'pong #1').map(([, roundTrip]) => roundTrip))).toEqual(new Set([200]));
    expect(new Set(seen.filter(([label]) => label === 'pong #2').map(([, roundTrip]) => roundTrip))).toEqual(new Set([300]));
  });

  it('records prices as down messages with the server’s send time', () => {
    const { store, socket, receive, advance } = setup();
    socket().emit('open');
    advance(50);
    receive({ type: 'price', symbol: 'SPY', price: 520.5, change: 0.5, time: 1_000_010 });
    const price = store.snapshot.messages.at(-1);
    expect(price).toMatchObject({ direction: 'down', kind: 'price', label: 'SPY 520.50', pageTime: 1_000_050, serverTime: 1_000_010 });
  });

  it('reconnects with a new latency and starts afresh, ignoring the old socket', () => {
    const { store, sockets, socket } = setup();
    socket().emit('open');
    store.setLatency(500);
    expect(sockets.map((entry) => entry.latencyMs)).toEqual([100, 500]);
    expect(sockets[0]?.socket.closedWith).toEqual({ code: 1000, reason: 'changing latency' });
    expect(store.snapshot).toMatchObject({ state: 'connecting', latencyMs: 500, messages: [] });
    sockets[0]?.socket.emit('close', { code: 1000, reason: '', wasClean: true });
    expect(store.snapshot.state).toBe('connecting');
  });

  it('refuses to ping while not connected', () => {
    const { store } = setup();
    expect(store.ping()).toBe(false);
    expect(store.snapshot.sendError).toBe('Not connected: wait for the status to say "open".');
  });

  it('forgets messages older than the history window', () => {
    const { store, socket, advance, receive } = setup();
    socket().emit('open');
    advance(40_000);
    receive({ type: 'price', symbol: 'SPY', price: 1, change: 1, time: 1_040_000 });
    expect(store.snapshot.messages.map((entry) => entry.kind)).toEqual(['price']);
  });
});

describe('countCrossings', () => {
  it('counts up/down pairs whose flights overlap', () => {
    const messages = [message('up', 0, 100), message('down', 150, 50), message('down', 300, 200), message('down', 60, 10)];
    // The down message in flight 50–150 overlaps the up flight 0–100; 200–300 does not; 10–60 does.
    expect(countCrossings(messages, 0)).toBe(2);
  });

  it('ignores up messages still in flight', () => {
    expect(countCrossings([message('up', 0, null), message('down', 150, 50)], 0)).toBe(0);
  });
});

describe('pollingSchedule', () => {
  it('delivers each change with the response to the first request that reaches the server after it', () => {
    const changes = [message('down', 0, 1_050), message('down', 0, 1_900)];
    const { polls, changes: delivered } = pollingSchedule(changes, 0, 1_000, 100, 0, 3_000);
    expect(polls.slice(0, 2)).toEqual([
      { sentAt: 0, atServer: 100, answeredAt: 200 },
      { sentAt: 1_000, atServer: 1_100, answeredAt: 1_200 },
    ]);
    expect(delivered.map((change) => [change.changedAt, change.pickedUpAt, change.deliveredAt])).toEqual([
      [1_050, 1_100, 1_200],
      [1_900, 2_100, 2_200],
    ]);
  });

  it('averages with mean()', () => {
    expect(mean([])).toBeNull();
    expect(mean([1, 2, 6])).toBe(3);
  });
});
