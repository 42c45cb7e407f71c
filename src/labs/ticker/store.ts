import { parseClientMessage } from '../../shared/protocol/parse.ts';
import { TICKER_SERVER_TYPES, TickerServerMessageSchema, type TickerClientMessage, type TickerServerMessage } from '../../shared/protocol/ticker.ts';
import { ConnectionTracker, INITIAL_CONNECTION, SnapshotStore, type LabConnection } from '../../shared/snapshot-store.ts';
import { SOCKET_OPEN, type SocketLike } from '../../shared/socket-like.ts';

/** One line of the protocol log: a message as it went over the wire, and what it was taken to be. */
export interface TickerLogEntry {
  readonly id: number;
  readonly direction: 'sent' | 'received';
  /** The `type` the message was demultiplexed by, or `invalid` when it does not match the protocol. */
  readonly type: string;
  /** The raw text, cut to a readable length. */
  readonly text: string;
  /** For received messages that failed validation: why. */
  readonly problem: string | null;
  readonly at: number;
}

export interface TickerQuote {
  readonly price: number;
  readonly change: number;
  readonly time: number;
}

export interface TickerSnapshot extends LabConnection {
  /** Symbols the server offers (from its welcome). */
  readonly knownSymbols: readonly string[];
  /** Symbols the reader wants; sent again after every reconnection. */
  readonly wanted: readonly string[];
  /** Symbols the server last confirmed. */
  readonly subscriptions: readonly string[];
  readonly quotes: Readonly<Record<string, TickerQuote>>;
  readonly log: readonly TickerLogEntry[];
  /** Messages received per `type`, including `invalid`. */
  readonly received: Readonly<Record<string, number>>;
  readonly lastRoundTripMs: number | null;
  /** The latest message from the server that was not a price, summarised in words. */
  readonly lastReply: string | null;
  readonly sendError: string | null;
}

export interface TickerStoreOptions {
  /** Symbols wanted from the start. */
  readonly symbols: readonly string[];
  /** Epoch milliseconds, for pings and log times. */
  readonly now: () => number;
}

/** Log lines kept. */
export const MAX_TICKER_LOG = 100;
const MAX_LOG_TEXT = 300;

/**
 * Parses and validates a message from `/ws/ticker` against the protocol's
 * schema, as the server does with the client's: the typed message, or why it
 * is not one. Decoding comes first, and the `type` field decides what the
 * rest must look like.
 */
export function parseTickerMessage(raw: string): { ok: true; message: TickerServerMessage } | { ok: false; problem: string } {
  const result = parseClientMessage(TickerServerMessageSchema, TICKER_SERVER_TYPES, raw);
  return result.ok ? { ok: true, message: result.value } : { ok: false, problem: result.error.message };
}

function describeReply(message: TickerServerMessage, now: number): string | null {
  switch (message.type) {
    case 'welcome':
      return `welcome: the server offers ${message.symbols.join(', ')}`;
    case 'subscribed':
      return `subscribed: ${message.symbols.length === 0 ? 'nothing new' : message.symbols.join(', ')}; now ${message.subscriptions.join(', ') || 'none'}`;
    case 'unsubscribed':
      return `unsubscribed: ${message.symbols.join(', ') || 'nothing'}; now ${message.subscriptions.join(', ') || 'none'}`;
    case 'pong':
      return `pong #${String(message.id)}: round trip ${String(Math.round(now - message.sent))} ms`;
    case 'error':
      return `error ${message.error}: ${message.message}`;
    case 'price':
      return null;
  }
}

/**
 * State of the ticker lab, with no DOM: the reader's wanted symbols (sent
 * again on every reconnection), the prices, and a log of every message each
 * way with the type it was demultiplexed by. Every received message is
 * validated before it is trusted.
 */
export class TickerStore extends SnapshotStore<TickerSnapshot> {
  readonly #socket: SocketLike;
  readonly #options: TickerStoreOptions;
  readonly #connection = new ConnectionTracker();
  #nextLogId = 1;
  #nextPingId = 1;

  constructor(socket: SocketLike, options: Partial<TickerStoreOptions> = {}) {
    const resolved = { symbols: [], now: () => Date.now(), ...options };
    super({
      ...INITIAL_CONNECTION,
      knownSymbols: [],
      wanted: [...resolved.symbols],
      subscriptions: [],
      quotes: {},
      log: [],
      received: {},
      lastRoundTripMs: null,
      lastReply: null,
      sendError: null,
    });
    this.#socket = socket;
    this.#options = resolved;
    socket.addEventListener('open', () => {
      this.update({ ...this.#connection.opened(), sendError: null, subscriptions: [] });
      // A new connection starts with no subscriptions: ask again for what the reader wants.
      if (this.snapshot.wanted.length > 0) this.#send({ type: 'subscribe', symbols: [...this.snapshot.wanted] });
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data === 'string') this.#receive(event.data);
    });
    socket.addEventListener('close', (event) => {
      this.update(this.#connection.closed(event, this.snapshot.failedAttempts));
    });
  }

  /** Subscribes to `symbol` if it is not wanted yet, unsubscribes otherwise. */
  toggle(symbol: string): void {
    const wanted = this.snapshot.wanted.includes(symbol);
    this.update({ wanted: wanted ? this.snapshot.wanted.filter((candidate) => candidate !== symbol) : [...this.snapshot.wanted, symbol] });
    if (this.#socket.readyState === SOCKET_OPEN) this.#send({ type: wanted ? 'unsubscribe' : 'subscribe', symbols: [symbol] });
  }

  /** Sends an application ping; the pong gives the round trip. */
  ping(): boolean {
    return this.#sendChecked(JSON.stringify({ type: 'ping', id: this.#nextPingId++, sent: this.#options.now() } satisfies TickerClientMessage));
  }

  /** Sends `text` exactly as given, valid or not, to see what the server makes of it. */
  sendRaw(text: string): boolean {
    return this.#sendChecked(text);
  }

  /** Empties the log and the counts. */
  clearLog(): void {
    this.update({ log: [], received: {} });
  }

  #sendChecked(text: string): boolean {
    if (this.#socket.readyState !== SOCKET_OPEN) {
      this.update({ sendError: 'Not connected: the message was not sent. Wait for the status to say "open".' });
      return false;
    }
    this.#socket.send(text);
    this.#log('sent', text, null);
    return true;
  }

  #send(message: TickerClientMessage): void {
    const text = JSON.stringify(message);
    this.#socket.send(text);
    this.#log('sent', text, null);
  }

  #receive(raw: string): void {
    const parsed = parseTickerMessage(raw);
    if (!parsed.ok) {
      this.#count('invalid');
      this.#log('received', raw, parsed.problem);
      return;
    }
    const { message } = parsed;
    this.#count(message.type);
    const now = this.#options.now();
    // Demultiplexing: one switch on the discriminating field; each case knows its message's shape.
    switch (message.type) {
      case 'welcome':
        this.update({ knownSymbols: message.symbols });
        break;
      case 'subscribed':
      case 'unsubscribed':
        this.update({ subscriptions: message.subscriptions });
        break;
      case 'price':
        this.update({ quotes: { ...this.snapshot.quotes, [message.symbol]: { price: message.price, change: message.change, time: message.time } } });
        break;
      case 'pong':
        this.update({ lastRoundTripMs: now - message.sent });
        break;
      case 'error':
        break;
    }
    const reply = describeReply(message, now);
    if (reply !== null) this.update({ lastReply: reply });
    this.#log('received', raw, null, message.type);
  }

  #count(type: string): void {
    this.update({ received: { ...this.snapshot.received, [type]: (this.snapshot.received[type] ?? 0) + 1 } });
  }

  #log(direction: 'sent' | 'received', raw: string, problem: string | null, type?: string): void {
    const known = type ?? (problem === null ? this.#typeOf(raw) : 'invalid');
    const text = raw.length > MAX_LOG_TEXT ? `${raw.slice(0, MAX_LOG_TEXT)}…` : raw;
    const entry: TickerLogEntry = { id: this.#nextLogId++, direction, type: known, text, problem, at: this.#options.now() };
    this.update({ log: [...this.snapshot.log, entry].slice(-MAX_TICKER_LOG), sendError: null });
  }

  /** The `type` a sent message claims, for the log (the server decides whether it is valid). */
  #typeOf(raw: string): string {
    try {
      const value: unknown = JSON.parse(raw);
      const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
      return typeof type === 'string' ? type.slice(0, 40) : '(no type)';
    } catch {
      return '(not JSON)';
    }
  }
}
