import { TokenBucket } from './token-bucket.ts';
import { serverCloseSentence } from './close-policy.ts';
import { shouldReconnectOnClose, type CloseLike } from './reconnect.ts';
import {
  CHAT_DEFAULTS,
  characterCount,
  chatUrl,
  hasVisibleCharacter,
  parseChatServerMessage,
  type ChatClientMessage,
  type ChatLimits,
  type RoomEvent,
  type RoomsMessage,
  type WelcomeMessage,
} from './protocol/chat.ts';
import { browserClock, closeInfoOf, SOCKET_OPEN, type Clock, type CloseInfo, type SocketLike } from './socket-like.ts';
import { SnapshotStore } from './snapshot-store.ts';

/**
 * `connecting`: no welcome yet; `open`: joined (welcome received);
 * `closed`: was joined, a reconnect is pending; `unreachable`: attempts fail
 * without ever opening; `offline`: the reader disconnected on purpose and may
 * come back; `stopped`: the server closed with a code after which this
 * client does not come straight back (`chatShouldReconnect`), so it waits for
 * the reader; `left`: gone for good (`leave()`).
 */
export type ChatConnectionState = 'connecting' | 'open' | 'closed' | 'unreachable' | 'offline' | 'stopped' | 'left';

/**
 * The chat client's reconnect policy: the generic one (`close-policy.ts`),
 * except after 1008. A generic client cannot know what a policy close was
 * for, but this one knows its server's: too many messages, too many invalid
 * ones, or not reading. Each is a burst this client ends itself (the flood
 * is over and the store discards its unconfirmed outbox on 1008), so coming
 * back with backoff does not repeat it, and resuming by id loses nothing.
 */
export function chatShouldReconnect(close: CloseLike): boolean {
  return close.code === 1008 || shouldReconnectOnClose(close);
}

/** One line of the timeline: a room event, or a notice from this client (joined, resumed, an error). */
export type ChatEntry =
  | { readonly kind: 'event'; readonly key: string; readonly event: RoomEvent; readonly mine: boolean }
  | { readonly kind: 'notice'; readonly key: string; readonly at: number; readonly tone: 'info' | 'warning' | 'error'; readonly text: string };

/** A message typed here and not yet confirmed by the server. */
export interface PendingMessage {
  readonly clientId: string;
  readonly text: string;
  /** `queued`: waiting for the connection or the rate; `sent`: on the wire, no ack yet. */
  readonly state: 'queued' | 'sent';
}

export interface ChatSnapshot {
  readonly state: ChatConnectionState;
  readonly room: string;
  /** This client's name, once the server has assigned it. */
  readonly you: string | null;
  readonly members: readonly string[];
  /** Other members typing now. */
  readonly typing: readonly string[];
  readonly entries: readonly ChatEntry[];
  readonly outbox: readonly PendingMessage[];
  /** Id of the newest room event seen: the resume point. */
  readonly lastId: number;
  readonly epoch: string | null;
  readonly lastClose: CloseInfo | null;
  readonly failedAttempts: number;
  readonly limits: ChatLimits | null;
  /** The last answer to `requestRooms()`. */
  readonly rooms: RoomsMessage['rooms'] | null;
  /** Why the last action was refused here, before reaching the server. */
  readonly sendError: string | null;
  /** Events dropped because their id had been seen already; a correct server keeps this at 0. */
  readonly duplicatesIgnored: number;
}

/** A socket the store can also take offline and bring back: partysocket's `ReconnectingWebSocket`. */
export interface ReconnectingSocketLike extends SocketLike {
  reconnect(): void;
}

/** The timers the store uses to pace its sends, injectable for tests. */
export interface ChatTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ChatStoreOptions {
  readonly room: string;
  readonly clock?: Clock;
  readonly timers?: ChatTimers;
  /** Makes the clientId (idempotency key) of each message. */
  readonly newClientId?: () => string;
}

/** Entries kept in the timeline, as many as a room keeps. */
export const MAX_CHAT_ENTRIES = CHAT_DEFAULTS.historyLength;

const globalTimers: ChatTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

function randomClientId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * State of one chat participant, with no DOM: the timeline, members, typing,
 * and an outbox. Delivery works like this: every room event has an id; the
 * store remembers the last one and reconnects with `?since=` so the server
 * sends exactly what was missed, and drops any id it has already seen. Each
 * message typed gets a clientId and stays in the outbox until the server
 * confirms it, so a message typed while disconnected is sent after the
 * reconnect, and one whose ack was lost is resent and recognised as a
 * duplicate by the server. Sends are paced to the rate the server announced.
 */
export class ChatStore extends SnapshotStore<ChatSnapshot> {
  readonly #socket: ReconnectingSocketLike;
  readonly #clock: Clock;
  readonly #timers: ChatTimers;
  readonly #newClientId: () => string;
  #welcomed = false;
  #openedSinceLastClose = false;
  #bucket: TokenBucket | null = null;
  #drainTimer: unknown = null;
  #typingSentAt: number | null = null;
  #nextNotice = 1;

  constructor(socket: ReconnectingSocketLike, options: ChatStoreOptions) {
    super({
      state: 'connecting',
      room: options.room,
      you: null,
      members: [],
      typing: [],
      entries: [],
      outbox: [],
      lastId: 0,
      epoch: null,
      lastClose: null,
      failedAttempts: 0,
      limits: null,
      rooms: null,
      sendError: null,
      duplicatesIgnored: 0,
    });
    this.#socket = socket;
    this.#clock = options.clock ?? browserClock;
    this.#timers = options.timers ?? globalTimers;
    this.#newClientId = options.newClientId ?? randomClientId;
    socket.addEventListener('open', () => {
      this.#openedSinceLastClose = true;
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data === 'string') this.#receive(event.data);
    });
    socket.addEventListener('close', (event) => {
      this.#closed(closeInfoOf(event));
    });
  }

  /**
   * The URL for the next connection attempt: after a welcome it carries the
   * resume point (`since`, `epoch`) and the name held, so a reconnect picks up
   * exactly where this client left off.
   */
  connectUrl(server: string): string {
    const { room, lastId, epoch, you } = this.snapshot;
    if (epoch === null) return chatUrl(server, room);
    return chatUrl(server, room, { since: lastId, epoch, name: you });
  }

  /**
   * Queues `text` for the room. It is sent now if joined and within the
   * rate, else as soon as it can be, and stays in the outbox until the server
   * confirms it. Refuses empty or over-long text, saying why in `sendError`.
   */
  say(text: string): boolean {
    if (!hasVisibleCharacter(text)) return this.#refuse('Type a message first.');
    const maxTextChars = this.snapshot.limits?.maxTextChars ?? CHAT_DEFAULTS.maxTextChars;
    const length = characterCount(text);
    if (length > maxTextChars) return this.#refuse(`Too long: ${String(length)} characters; this room allows ${String(maxTextChars)}.`);
    this.#typingSentAt = null;
    this.update({ outbox: [...this.snapshot.outbox, { clientId: this.#newClientId(), text, state: 'queued' }], sendError: null });
    this.#drain();
    return true;
  }

  /**
   * Tells the room this client is typing while `draft` is not empty,
   * refreshing the indicator before the server's timeout ends it, and that
   * it stopped when the draft is cleared. Skipped when the rate is used up:
   * a typing indicator is not worth a dropped message.
   */
  composing(draft: string): void {
    if (!this.#welcomed) return;
    const now = this.#clock.monotonic();
    const refreshMs = (this.snapshot.limits?.typingTimeoutMs ?? CHAT_DEFAULTS.typingTimeoutMs) / 2;
    if (draft.trim() !== '') {
      if (this.#typingSentAt !== null && now - this.#typingSentAt < refreshMs) return;
      if (this.#sendPaced({ type: 'typing', typing: true })) this.#typingSentAt = now;
    } else if (this.#typingSentAt !== null) {
      if (this.#sendPaced({ type: 'typing', typing: false })) this.#typingSentAt = null;
    }
  }

  /** Asks the server for a new name; the answer is a `renamed` event or an error in the timeline. */
  nick(name: string): boolean {
    if (!this.#welcomed) return this.#refuse('Not connected: wait for the status to say you joined.');
    return this.#sendPaced({ type: 'nick', name }) || this.#refuse('Slow down: over the rate the server allows.');
  }

  /** Asks for the rooms on the server and their member counts (lands in `rooms`). */
  requestRooms(): boolean {
    if (!this.#welcomed) return this.#refuse('Not connected: wait for the status to say you joined.');
    return this.#sendPaced({ type: 'rooms' }) || this.#refuse('Slow down: over the rate the server allows.');
  }

  /**
   * Sends `raw` exactly as given, outside the protocol's types: for showing
   * how the server answers bad input (a spoofed `from`, broken JSON).
   */
  sendRaw(raw: string): boolean {
    if (!this.#welcomed) return this.#refuse('Not connected: wait for the status to say you joined.');
    if (this.#bucket?.take() === false) return this.#refuse('Slow down: over the rate the server allows.');
    this.#socket.send(raw);
    return true;
  }

  /**
   * Misbehaves on purpose: sends `count` messages at once, ignoring the rate
   * the server announced, to show its warning and then close 1008.
   */
  flood(count: number): boolean {
    if (!this.#welcomed) return this.#refuse('Not connected: wait for the status to say you joined.');
    this.#notice('warning', `Sending ${String(count)} messages at once, ignoring the limit of ${String(this.snapshot.limits?.messagesPerSecond ?? '?')} a second…`);
    for (let index = 1; index <= count; index++) {
      this.#socket.send(JSON.stringify({ type: 'say', text: `flood ${String(index)} of ${String(count)}` } satisfies ChatClientMessage));
    }
    return true;
  }

  /** Disconnects on purpose (close 1000); messages typed meanwhile wait in the outbox. */
  goOffline(): void {
    if (this.snapshot.state === 'offline') return;
    this.update({ state: 'offline' });
    this.#socket.close(1000, 'offline');
  }

  /** Reconnects after `goOffline()` or a close that stopped it, resuming from the last id seen. */
  goOnline(): void {
    if (this.snapshot.state !== 'offline' && this.snapshot.state !== 'stopped') return;
    this.update({ state: 'connecting', failedAttempts: 0 });
    this.#socket.reconnect();
  }

  /** Leaves the room for good: closes with 1000 and stops every timer. */
  leave(): void {
    if (this.snapshot.state === 'left') return;
    this.update({ state: 'left' });
    this.#socket.close(1000, 'bye');
    if (this.#drainTimer !== null) this.#timers.clearTimeout(this.#drainTimer);
    this.#drainTimer = null;
  }

  #receive(raw: string): void {
    const message = parseChatServerMessage(raw);
    if (message === null) return;
    switch (message.type) {
      case 'welcome':
        this.#welcome(message);
        return;
      case 'message':
      case 'joined':
      case 'left':
      case 'renamed':
        this.#accept(message, true);
        return;
      case 'typing': {
        const others = this.snapshot.typing.filter((name) => name !== message.name);
        this.update({ typing: message.typing ? [...others, message.name] : others });
        return;
      }
      case 'ack':
        this.#confirm(message.clientId);
        return;
      case 'rooms':
        this.update({ rooms: message.rooms });
        return;
      case 'error':
        this.#notice(message.error === 'RATE_WARNING' ? 'warning' : 'error', message.message);
        return;
      case 'pong':
        return;
    }
  }

  #welcome(welcome: WelcomeMessage): void {
    const previous = this.snapshot;
    const rejoined = previous.epoch !== null;
    // Another epoch means the room restarted: its ids start again at 1, and ours mean nothing there.
    const lastId = previous.epoch === welcome.epoch ? previous.lastId : 0;
    this.#welcomed = true;
    // One token in hand and a slower refill: the server counts when it processes a message, and
    // network or queueing jitter can bunch messages that left here evenly spaced.
    this.#bucket = new TokenBucket(welcome.limits.messagesPerSecond * 0.9, Math.max(1, welcome.limits.burstMessages - 1), () => this.#clock.monotonic());
    this.#typingSentAt = null;
    this.update({
      state: 'open',
      you: welcome.you,
      members: welcome.members,
      typing: welcome.typing,
      epoch: welcome.epoch,
      lastId,
      limits: welcome.limits,
      failedAttempts: 0,
      sendError: null,
    });
    if (!rejoined) this.#notice('info', `Joined room ${welcome.room} as ${welcome.you}.`);
    if (welcome.nameNote !== null) this.#notice('warning', welcome.nameNote);
    if (welcome.resume !== null) this.#notice(welcome.resume.status === 'complete' ? 'info' : 'warning', `Back: ${welcome.resume.message}.`);
    for (const event of welcome.history) this.#accept(event, false);
    this.update({ lastId: Math.max(this.snapshot.lastId, welcome.lastId) });
    // Whatever was on the wire when the connection dropped goes again; the server drops duplicates.
    this.update({ outbox: this.snapshot.outbox.map((pending) => ({ ...pending, state: 'queued' })) });
    this.#drain();
  }

  /** Adds a room event unless its id was seen; live events also update members and typing. */
  #accept(event: RoomEvent, live: boolean): void {
    const snapshot = this.snapshot;
    if (event.id <= snapshot.lastId) {
      this.update({ duplicatesIgnored: snapshot.duplicatesIgnored + 1 });
      return;
    }
    let { you, members, typing } = snapshot;
    if (live) {
      switch (event.type) {
        case 'joined':
          members = [...members.filter((name) => name !== event.name), event.name];
          break;
        case 'left':
          members = members.filter((name) => name !== event.name);
          typing = typing.filter((name) => name !== event.name);
          break;
        case 'renamed':
          members = members.map((name) => (name === event.from ? event.to : name));
          typing = typing.map((name) => (name === event.from ? event.to : name));
          if (you === event.from) you = event.to;
          break;
        case 'message':
          typing = typing.filter((name) => name !== event.from);
          break;
      }
    }
    const mine = event.type === 'message' && event.from === you;
    const entry: ChatEntry = { kind: 'event', key: `${snapshot.epoch ?? ''}:${String(event.id)}`, event, mine };
    this.update({ you, members, typing, lastId: event.id, entries: [...snapshot.entries, entry].slice(-MAX_CHAT_ENTRIES) });
    if (event.type === 'message' && event.clientId !== undefined) this.#confirm(event.clientId);
  }

  /** The server has the message with `clientId`: it leaves the outbox. */
  #confirm(clientId: string): void {
    const outbox = this.snapshot.outbox.filter((pending) => pending.clientId !== clientId);
    if (outbox.length !== this.snapshot.outbox.length) this.update({ outbox });
  }

  /** Sends queued messages while joined and within the rate, then waits for the next token. */
  #drain(): void {
    if (this.#drainTimer !== null || !this.#welcomed) return;
    for (;;) {
      const next = this.snapshot.outbox.find((pending) => pending.state === 'queued');
      if (next === undefined || this.#socket.readyState !== SOCKET_OPEN) return;
      if (!this.#sendPaced({ type: 'say', text: next.text, clientId: next.clientId })) break;
      this.update({ outbox: this.snapshot.outbox.map((pending) => (pending === next ? { ...next, state: 'sent' } : pending)) });
    }
    const perSecond = this.snapshot.limits?.messagesPerSecond ?? CHAT_DEFAULTS.messagesPerSecond;
    this.#drainTimer = this.#timers.setTimeout(() => {
      this.#drainTimer = null;
      this.#drain();
    }, Math.ceil(1000 / perSecond));
  }

  /** Sends `message` if joined and a token is left; returns whether it went. */
  #sendPaced(message: ChatClientMessage): boolean {
    if (!this.#welcomed || this.#socket.readyState !== SOCKET_OPEN || this.#bucket?.take() !== true) return false;
    this.#socket.send(JSON.stringify(message));
    return true;
  }

  #closed(close: CloseInfo): void {
    if (this.snapshot.state === 'left') {
      this.#welcomed = false;
      this.update({ lastClose: close, typing: [] });
      return;
    }
    const wasJoined = this.#welcomed;
    this.#welcomed = false;
    this.#bucket = null;
    if (this.#drainTimer !== null) this.#timers.clearTimeout(this.#drainTimer);
    this.#drainTimer = null;
    const opened = this.#openedSinceLastClose;
    this.#openedSinceLastClose = false;
    let outbox = this.snapshot.outbox;
    const discarded = close.code === 1008 ? outbox.length : 0;
    // Resending after being cut off for flooding would only flood again.
    if (discarded > 0) outbox = [];
    outbox = outbox.map((pending) => ({ ...pending, state: 'queued' }));
    if (this.snapshot.state === 'offline') {
      this.update({ lastClose: close, typing: [], outbox });
      this.#notice('info', 'You went offline. Messages you type wait in the outbox.');
      return;
    }
    const closedBy = serverCloseSentence(close);
    const dropped = discarded === 0 ? '' : ` ${String(discarded)} unconfirmed message${discarded === 1 ? '' : 's'} discarded: sending them again would break the limit again.`;
    if (opened && !chatShouldReconnect(close)) {
      this.#notice('error', `${closedBy}.${dropped} Not reconnecting: this code means "do not come straight back". Press Reconnect to join again.`);
      this.update({ state: 'stopped', lastClose: close, typing: [], outbox });
      return;
    }
    if (wasJoined) {
      const resume = this.snapshot.epoch === null ? '' : `, resuming after #${String(this.snapshot.lastId)}`;
      this.#notice(close.code === 1000 || close.code === 1001 ? 'info' : 'error', `${closedBy}.${dropped} Reconnecting in a moment${resume}…`);
    }
    if (opened) this.update({ state: 'closed', lastClose: close, typing: [], outbox });
    else this.update({ state: 'unreachable', lastClose: close, typing: [], outbox, failedAttempts: this.snapshot.failedAttempts + 1 });
  }

  #refuse(reason: string): false {
    this.update({ sendError: reason });
    return false;
  }

  #notice(tone: 'info' | 'warning' | 'error', text: string): void {
    const entry: ChatEntry = { kind: 'notice', key: `n${String(this.#nextNotice++)}`, at: this.#clock.wall(), tone, text };
    this.update({ entries: [...this.snapshot.entries, entry].slice(-MAX_CHAT_ENTRIES) });
  }

}
