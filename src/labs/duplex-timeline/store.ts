import type { TickerClientMessage, TickerServerMessage } from '../../shared/protocol/ticker.ts';
import { ConnectionTracker, INITIAL_CONNECTION, SnapshotStore, type LabConnection } from '../../shared/snapshot-store.ts';
import { SOCKET_OPEN, type SocketLike } from '../../shared/socket-like.ts';

/**
 * Messages between the page and `/ws/ticker` on one time axis. Times are
 * stored on the clock of the side that observed them: `serverTime` in the
 * server's clock (from the messages' `time` fields), the rest in the
 * page's. `clockOffsetMs` converts between them.
 */
export interface TimelineMessage {
  readonly id: number;
  /** `up`: browser → server; `down`: server → browser. */
  readonly direction: 'up' | 'down';
  readonly kind: 'subscribe' | 'ping' | 'subscribed' | 'price' | 'pong';
  /** `AAPL 190.12`, `ping #3`. */
  readonly label: string;
  /** Page clock: when an up message was sent, or a down message arrived. */
  readonly pageTime: number;
  /** Server clock: when the server handled an up message or sent a down one; `null` while an up message is in flight. */
  readonly serverTime: number | null;
}

export interface DuplexTimelineSnapshot extends LabConnection {
  /** The simulated one-way latency of the current connection. */
  readonly latencyMs: number;
  readonly messages: readonly TimelineMessage[];
  /** Server clock minus page clock, from the fastest ping so far; 0 until one returns. */
  readonly clockOffsetMs: number;
  /** Round trip of the latest ping. */
  readonly lastRoundTripMs: number | null;
  readonly sendError: string | null;
}

export interface DuplexTimelineOptions {
  /** Symbols subscribed on every (re)connection. */
  readonly symbols: readonly string[];
  /** Simulated one-way latency to start with. */
  readonly latencyMs: number;
  /** Messages older than this (page clock) are dropped. */
  readonly historyMs: number;
  /** Page clock in ms since the epoch, with sub-millisecond precision. */
  readonly now: () => number;
}

export const DUPLEX_TIMELINE_DEFAULTS: DuplexTimelineOptions = {
  symbols: ['BTC-USD', 'SPY'],
  latencyMs: 250,
  historyMs: 30_000,
  now: () => performance.timeOrigin + performance.now(),
};

/** Most messages kept, whatever their age. */
const MAX_MESSAGES = 500;

/** When a message left and arrived, both on the page clock. */
export interface Flight {
  readonly departedAt: number;
  /** `null` while an up message is still in flight. */
  readonly arrivedAt: number | null;
}

/** A message's flight on the page clock, using `clockOffsetMs` for the server's side. */
export function flightOf(message: TimelineMessage, clockOffsetMs: number): Flight {
  const serverOnPageClock = message.serverTime === null ? null : message.serverTime - clockOffsetMs;
  if (message.direction === 'up') return { departedAt: message.pageTime, arrivedAt: serverOnPageClock === null ? null : Math.max(message.pageTime, serverOnPageClock) };
  return { departedAt: Math.min(message.pageTime, serverOnPageClock ?? message.pageTime), arrivedAt: message.pageTime };
}

/**
 * Pairs of an up and a down message that were on the wire at the same time:
 * drawn between the two lanes, their lines cross.
 */
export function countCrossings(messages: readonly TimelineMessage[], clockOffsetMs: number): number {
  const flights = messages.map((message) => ({ direction: message.direction, ...flightOf(message, clockOffsetMs) }));
  const ups = flights.filter((flight) => flight.direction === 'up' && flight.arrivedAt !== null);
  const downs = flights.filter((flight) => flight.direction === 'down');
  let crossings = 0;
  for (const up of ups) {
    for (const down of downs) {
      if (up.departedAt < (down.arrivedAt ?? 0) && down.departedAt < (up.arrivedAt ?? 0)) crossings += 1;
    }
  }
  return crossings;
}

/** One HTTP poll, on the page clock. */
export interface Poll {
  readonly sentAt: number;
  readonly atServer: number;
  readonly answeredAt: number;
}

/** A price change as polling would have delivered it. */
export interface PolledChange {
  readonly label: string;
  /** When the price changed (page clock). */
  readonly changedAt: number;
  /** When a poll request reached the server and picked it up. */
  readonly pickedUpAt: number;
  /** When the response carrying it reached the page. */
  readonly deliveredAt: number;
}

export interface PollingSchedule {
  readonly polls: readonly Poll[];
  readonly changes: readonly PolledChange[];
}

/**
 * What HTTP polling every `intervalMs` over the same link (`latencyMs` each
 * way) would have done with the same price changes: each change waits at
 * the server for the next request, then rides back in its response. Polls
 * are aligned to multiples of `intervalMs` on the page clock.
 */
export function pollingSchedule(messages: readonly TimelineMessage[], clockOffsetMs: number, intervalMs: number, latencyMs: number, from: number, to: number): PollingSchedule {
  const polls: Poll[] = [];
  for (let sentAt = Math.floor(from / intervalMs) * intervalMs; sentAt <= to; sentAt += intervalMs) {
    polls.push({ sentAt, atServer: sentAt + latencyMs, answeredAt: sentAt + 2 * latencyMs });
  }
  const changes: PolledChange[] = [];
  for (const message of messages) {
    if (message.kind !== 'price' || message.serverTime === null) continue;
    const changedAt = message.serverTime - clockOffsetMs;
    const sentAt = Math.ceil((changedAt - latencyMs) / intervalMs) * intervalMs;
    changes.push({ label: message.label, changedAt, pickedUpAt: sentAt + latencyMs, deliveredAt: sentAt + 2 * latencyMs });
  }
  return { polls, changes };
}

/** Mean of `values`, or `null` for none. */
export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * State of the full-duplex timeline, with no DOM. On each connection it
 * subscribes to a few symbols and pings once to estimate the clock offset;
 * the reader's pings go up while prices come down. `open(latencyMs)` makes
 * the socket, so changing the simulated latency reconnects.
 */
export class DuplexTimelineStore extends SnapshotStore<DuplexTimelineSnapshot> {
  readonly #open: (latencyMs: number) => SocketLike;
  readonly #options: DuplexTimelineOptions;
  #socket: SocketLike;
  #connection = new ConnectionTracker();
  #nextId = 1;
  #nextPingId = 1;
  #bestRoundTripMs = Number.POSITIVE_INFINITY;

  constructor(open: (latencyMs: number) => SocketLike, options: Partial<DuplexTimelineOptions> = {}) {
    const resolved = { ...DUPLEX_TIMELINE_DEFAULTS, ...options };
    super({ ...INITIAL_CONNECTION, latencyMs: resolved.latencyMs, messages: [], clockOffsetMs: 0, lastRoundTripMs: null, sendError: null });
    this.#open = open;
    this.#options = resolved;
    this.#socket = this.#connect(resolved.latencyMs);
  }

  /** Reconnects with a different simulated latency; the timeline starts afresh. */
  setLatency(latencyMs: number): void {
    if (latencyMs === this.snapshot.latencyMs) return;
    this.#socket.close(1000, 'changing latency');
    this.#bestRoundTripMs = Number.POSITIVE_INFINITY;
    this.#connection = new ConnectionTracker();
    this.update({ ...INITIAL_CONNECTION, latencyMs, messages: [], lastRoundTripMs: null, clockOffsetMs: 0 });
    this.#socket = this.#connect(latencyMs);
  }

  /** Sends an application ping up the wire. */
  ping(): boolean {
    if (this.#socket.readyState !== SOCKET_OPEN) {
      this.update({ sendError: 'Not connected: wait for the status to say "open".' });
      return false;
    }
    const id = this.#nextPingId++;
    const sent = this.#options.now();
    this.#send({ type: 'ping', id, sent }, 'ping', `ping #${String(id)}`);
    return true;
  }

  close(): void {
    this.#socket.close(1000, 'timeline closed');
  }

  #connect(latencyMs: number): SocketLike {
    const socket = this.#open(latencyMs);
    const current = () => socket === this.#socket;
    socket.addEventListener('open', () => {
      if (!current()) return;
      this.update({ ...this.#connection.opened(), sendError: null });
      this.#send({ type: 'subscribe', symbols: [...this.#options.symbols] }, 'subscribe', `subscribe ${this.#options.symbols.join(', ')}`);
      this.ping();
    });
    socket.addEventListener('message', (event) => {
      if (current() && typeof event.data === 'string') this.#receive(JSON.parse(event.data) as TickerServerMessage);
    });
    socket.addEventListener('close', (event) => {
      if (current()) this.update(this.#connection.closed(event, this.snapshot.failedAttempts));
    });
    return socket;
  }

  #send(message: TickerClientMessage, kind: 'subscribe' | 'ping', label: string): void {
    this.#socket.send(JSON.stringify(message));
    this.#append({ id: this.#nextId++, direction: 'up', kind, label, pageTime: this.#options.now(), serverTime: null });
  }

  #receive(message: TickerServerMessage): void {
    const now = this.#options.now();
    switch (message.type) {
      case 'price':
        this.#append({ id: this.#nextId++, direction: 'down', kind: 'price', label: `${message.symbol} ${message.price.toFixed(2)}`, pageTime: now, serverTime: message.time });
        return;
      case 'subscribed':
        this.#arrivedUp((candidate) => candidate.kind === 'subscribe', message.time);
        this.#append({ id: this.#nextId++, direction: 'down', kind: 'subscribed', label: 'subscribed', pageTime: now, serverTime: message.time });
        return;
      case 'pong': {
        const roundTripMs = now - message.sent;
        // NTP's estimate: the server handled the ping halfway through the round trip. The fastest round trip bounds the error best.
        if (roundTripMs < this.#bestRoundTripMs) {
          this.#bestRoundTripMs = roundTripMs;
          this.update({ clockOffsetMs: message.time - (message.sent + now) / 2 });
        }
        this.#arrivedUp((candidate) => candidate.label === `ping #${String(message.id)}`, message.time);
        // In one update, so that no snapshot shows this pong beside another pong's round trip.
        this.#append({ id: this.#nextId++, direction: 'down', kind: 'pong', label: `pong #${String(message.id)}`, pageTime: now, serverTime: message.time }, { lastRoundTripMs: roundTripMs });
        return;
      }
      case 'welcome':
      case 'unsubscribed':
      case 'error':
        return;
    }
  }

  /** Records when the server handled the oldest in-flight up message that `matches`. */
  #arrivedUp(matches: (message: TimelineMessage) => boolean, serverTime: number): void {
    const target = this.snapshot.messages.find((message) => message.direction === 'up' && message.serverTime === null && matches(message));
    if (target === undefined) return;
    this.update({ messages: this.snapshot.messages.map((message) => (message === target ? { ...message, serverTime } : message)) });
  }

  /** Adds `message` to the timeline, with any other `change` in the same snapshot. */
  #append(message: TimelineMessage, change: Partial<DuplexTimelineSnapshot> = {}): void {
    const oldest = this.#options.now() - this.#options.historyMs;
    const messages = [...this.snapshot.messages.filter((candidate) => candidate.pageTime >= oldest), message].slice(-MAX_MESSAGES);
    this.update({ ...change, messages, sendError: null });
  }
}
