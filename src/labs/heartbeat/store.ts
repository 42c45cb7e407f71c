import {
  HEARTBEAT_PARAMETERS,
  HEARTBEAT_TIMEOUT_CLOSE_CODE,
  HEARTBEAT_TOPICS,
  heartbeatServerMessageSchema,
  type HeartbeatServerMessage,
  type HeartbeatTopicName,
} from '../../shared/protocol/heartbeat.ts';
import { integerParameterProblem } from '../../shared/protocol/integer-parameter.ts';
import { parseServerMessage } from '../../shared/protocol/parse.ts';
import { closeInfoOf, SOCKET_OPEN, type SocketLike } from '../../shared/socket-like.ts';
import { SnapshotStore } from '../../shared/snapshot-store.ts';

/** A socket that can be told to drop its connection and connect again, as partysocket's can. */
export interface ReconnectingSocketLike extends SocketLike {
  reconnect(code?: number, reason?: string): void;
}

/** `connecting`: the first attempt; `open`; `reconnecting`: the connection was lost and attempts are under way. */
export type HeartbeatConnectionState = 'connecting' | 'open' | 'reconnecting';

/** Whether this client answers the server's pings and sends its own, or plays a frozen client. */
export type ClientHeartbeatState = 'answering' | 'frozen';

export interface HeartbeatClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Calls `callback` every `ms`; returns the function that stops it. */
  every(ms: number, callback: () => void): () => void;
}

const browserClock: HeartbeatClock = {
  now: () => performance.now(),
  every(ms, callback) {
    const timer = setInterval(callback, ms);
    return () => clearInterval(timer);
  },
};

export interface HeartbeatOptions {
  /** Topics subscribed from the start, and after every reconnection. */
  readonly topics: readonly HeartbeatTopicName[];
  /** How often the client checks its own timers. */
  readonly tickMs: number;
  /** How much round-trip history the chart keeps. */
  readonly windowMs: number;
  /** Most events kept in the timeline. */
  readonly maxEvents: number;
}

export const HEARTBEAT_DEFAULTS: HeartbeatOptions = {
  topics: ['temperature', 'wind'],
  tickMs: 100,
  windowMs: 60_000,
  maxEvents: 40,
};

export interface TopicView {
  readonly name: HeartbeatTopicName;
  readonly unit: string;
  /** Whether this client wants it; kept across reconnections. */
  readonly wanted: boolean;
  readonly value: number | null;
  readonly seq: number | null;
  /** Updates that happened while this client was away, at the last restore. */
  readonly missed: number;
}

/** One reconnection attempt: how long partysocket waited before it, and how it ended. */
export interface ReconnectAttempt {
  readonly number: number;
  /** Monotonic ms when the attempt started. */
  readonly startedAt: number;
  /** Time since the connection was lost or the previous attempt failed; `null` for the page's first attempt. */
  readonly delayMs: number | null;
  readonly outcome: 'pending' | 'opened' | 'failed';
}

export type HeartbeatEventKind = 'connected' | 'restored' | 'closed' | 'timeout' | 'attempt' | 'frozen-client' | 'frozen-server' | 'thawed' | 'error';

export interface HeartbeatEvent {
  readonly id: number;
  /** Monotonic ms. */
  readonly at: number;
  readonly kind: HeartbeatEventKind;
  readonly text: string;
}

export interface HeartbeatSnapshot {
  readonly state: HeartbeatConnectionState;
  /** The server's settings, from its welcome. */
  readonly settings: { readonly intervalMs: number; readonly timeoutMs: number; readonly closeCode: number } | null;
  readonly heartbeat: ClientHeartbeatState;
  /** Monotonic ms when the server said its freeze ends, while it is frozen. */
  readonly serverFrozenUntil: number | null;
  /** Latest round trips: of this client's pings, and the two the server measured. */
  readonly rtt: { readonly client: number | null; readonly serverApplication: number | null; readonly serverProtocol: number | null };
  /** Pongs with unknown ids the server reported ignoring. */
  readonly unknownPongs: number;
  /** Server pings left unanswered while this client was frozen. */
  readonly ignoredPings: number;
  readonly topics: readonly TopicView[];
  /** Attempts since the connection was last lost (or since the page opened). */
  readonly attempts: readonly ReconnectAttempt[];
  readonly events: readonly HeartbeatEvent[];
  readonly lastClose: { readonly code: number; readonly reason: string; readonly by: 'server' | 'client' | 'network' } | null;
  readonly problem: string | null;
}

export type RttSeries = 'client' | 'serverApplication' | 'serverProtocol';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The Heartbeat lab's state, with no DOM: application pings both ways over
 * `/ws/heartbeat`, this client's own timeout (a browser cannot send protocol
 * pings, so its liveness check is an application one), reconnection attempts
 * with their delays, and subscriptions that are sent again on every open.
 *
 * Reconnect policy: every close is followed by a reconnection, including
 * 4000 (heartbeat timeout): a peer that missed its heartbeat is worth
 * trying again, with backoff.
 */
export class HeartbeatStore extends SnapshotStore<HeartbeatSnapshot> {
  readonly #socket: ReconnectingSocketLike;
  readonly #clock: HeartbeatClock;
  readonly #options: HeartbeatOptions;
  readonly #rtt: Record<RttSeries, { at: number; rttMs: number }[]> = { client: [], serverApplication: [], serverProtocol: [] };
  /** This client's pings in flight: id → monotonic send time. */
  readonly #pending = new Map<number, number>();
  #nextPingId = 1;
  #nextPingAt = 0;
  #stopTicking: (() => void) | null = null;
  #nextEventId = 1;
  #opened = false;
  /** The close this client is making itself, set just before it asks partysocket to reconnect. */
  #ownClose: { readonly code: number; readonly reason: string } | null = null;
  /** When the connection was lost or the last attempt failed: the start of the next attempt's delay. */
  #downSince: number | null = null;
  #clientFrozenAt: number | null = null;

  constructor(socket: ReconnectingSocketLike, options: Partial<HeartbeatOptions> = {}, clock: HeartbeatClock = browserClock) {
    const resolved = { ...HEARTBEAT_DEFAULTS, ...options };
    super({
      state: 'connecting',
      settings: null,
      heartbeat: 'answering',
      serverFrozenUntil: null,
      rtt: { client: null, serverApplication: null, serverProtocol: null },
      unknownPongs: 0,
      ignoredPings: 0,
      topics: HEARTBEAT_TOPICS.map((topic) => ({ name: topic.name, unit: topic.unit, wanted: resolved.topics.includes(topic.name), value: null, seq: null, missed: 0 })),
      attempts: [],
      events: [],
      lastClose: null,
      problem: null,
    });
    this.#socket = socket;
    this.#clock = clock;
    this.#options = resolved;
    socket.addEventListener('open', () => {
      this.#open();
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data === 'string') this.#receive(event.data);
    });
    socket.addEventListener('close', (event) => {
      const { code, reason } = closeInfoOf(event);
      this.#close(code, reason);
    });
  }

  /** Round trips of one series in the window, oldest first. */
  rttPoints(series: RttSeries): readonly { readonly at: number; readonly rttMs: number }[] {
    return this.#rtt[series];
  }

  /**
   * Tells the store a connection attempt has started (the element's
   * WebSocket constructor calls it), so the timeline shows each attempt
   * and the delay partysocket chose before it.
   */
  attemptStarted(): void {
    const now = this.#clock.now();
    const attempt: ReconnectAttempt = {
      number: this.snapshot.attempts.length + 1,
      startedAt: now,
      delayMs: this.#downSince === null ? null : now - this.#downSince,
      outcome: 'pending',
    };
    const waited = attempt.delayMs === null ? '' : ` after waiting ${seconds(attempt.delayMs)}`;
    this.update({ attempts: [...this.snapshot.attempts, attempt] });
    this.#event('attempt', `Attempt ${String(attempt.number)}${waited}.`);
  }

  /** Plays a frozen client: stops answering the server's pings and sending its own, until the connection ends. */
  freezeClient(): void {
    if (this.snapshot.state !== 'open' || this.snapshot.heartbeat === 'frozen') return;
    this.#clientFrozenAt = this.#clock.now();
    this.#pending.clear();
    this.update({ heartbeat: 'frozen', ignoredPings: 0 });
    const limit = this.snapshot.settings === null ? '' : ` The server should drop it within interval + timeout = ${seconds(this.snapshot.settings.intervalMs + this.snapshot.settings.timeoutMs)}.`;
    this.#event('frozen-client', `You froze this client: it ignores the server's pings and sends none. The browser still answers protocol pings by itself.${limit}`);
  }

  /** Answers pings again. */
  unfreezeClient(): void {
    if (this.snapshot.heartbeat === 'answering') return;
    this.#clientFrozenAt = null;
    this.#nextPingAt = this.#clock.now();
    this.update({ heartbeat: 'answering' });
  }

  /** Asks the server to freeze its side for `seconds` (1–60); refuses, with `problem`, anything else. */
  freezeServer(seconds: number): boolean {
    const problem = integerParameterProblem(HEARTBEAT_PARAMETERS.freezeSeconds, seconds);
    if (problem !== null) {
      this.update({ problem: `Freeze time ${problem}.` });
      return false;
    }
    if (!this.#send({ type: 'freeze', seconds })) {
      this.update({ problem: 'Not connected: wait for the connection to open.' });
      return false;
    }
    this.update({ problem: null });
    return true;
  }

  /** Wants `topic` or not; sent now if connected, and again after every reconnection. */
  setWanted(topic: HeartbeatTopicName, wanted: boolean): void {
    this.#updateTopic(topic, (view) => ({ ...view, wanted, ...(wanted ? {} : { value: null, seq: null, missed: 0 }) }));
    this.#send({ type: wanted ? 'subscribe' : 'unsubscribe', topic });
  }

  /** Closes the connection with 1000 and connects again at once (e.g. with new settings in the URL). */
  restart(reason: string): void {
    this.#ownClose = { code: 1000, reason };
    this.#socket.reconnect(1000, reason);
  }

  /** Stops the ticker; the element closes the socket. */
  dispose(): void {
    this.#stopTicking?.();
    this.#stopTicking = null;
  }

  #open(): void {
    this.#opened = true;
    this.#ownClose = null;
    this.#downSince = null;
    this.#pending.clear();
    const attempts = this.snapshot.attempts.map((attempt, index, all) => (index === all.length - 1 ? { ...attempt, outcome: 'opened' as const } : attempt));
    this.update({ state: 'open', attempts, serverFrozenUntil: null, heartbeat: 'answering' });
    const restoring = this.snapshot.topics.filter((topic) => topic.wanted);
    this.#event('connected', restoring.length === 0 ? 'Connected.' : `Connected. Subscribing again to ${restoring.map((topic) => topic.name).join(' and ')}.`);
    for (const topic of restoring) this.#send({ type: 'subscribe', topic: topic.name });
    this.#stopTicking?.();
    this.#stopTicking = this.#clock.every(this.#options.tickMs, () => {
      this.#tick();
    });
  }

  #close(code: number, reason: string): void {
    this.#stopTicking?.();
    this.#stopTicking = null;
    this.#pending.clear();
    const now = this.#clock.now();
    this.#downSince = now;
    if (!this.#opened) {
      // partysocket reports a failed attempt as a close of its own making; the attempt is what failed.
      const attempts = this.snapshot.attempts.map((attempt, index, all) => (index === all.length - 1 && attempt.outcome === 'pending' ? { ...attempt, outcome: 'failed' as const } : attempt));
      this.update({ attempts });
      const frozen = this.snapshot.serverFrozenUntil !== null && this.snapshot.serverFrozenUntil > now ? ' (the server is still frozen)' : '';
      this.#event('attempt', `Attempt ${String(attempts.length)} failed before opening${frozen}.`);
      return;
    }
    this.#opened = false;
    // partysocket's close event for reconnect() has lost its code and reason: use our own.
    const own = this.#ownClose;
    if (own !== null) ({ code, reason } = own);
    const by = own !== null ? 'client' : code === 1006 ? 'network' : 'server';
    let text = `Closed by ${by === 'client' ? 'this client' : by === 'server' ? 'the server' : 'the network (no close frame)'} with ${String(code)}${reason === '' ? '' : ` "${reason}"`}.`;
    if (by === 'server' && this.#clientFrozenAt !== null && this.snapshot.settings !== null) {
      const { intervalMs, timeoutMs } = this.snapshot.settings;
      text += ` That was ${seconds(now - this.#clientFrozenAt)} after you froze this client (limit: interval + timeout = ${seconds(intervalMs + timeoutMs)}).`;
    }
    this.#clientFrozenAt = null;
    this.#ownClose = null;
    // A new connection begins a new series of attempts.
    this.update({ state: 'reconnecting', lastClose: { code, reason, by }, heartbeat: 'answering', attempts: [] });
    this.#event('closed', `${text} Reconnecting…`);
  }

  #tick(): void {
    const settings = this.snapshot.settings;
    if (this.snapshot.state !== 'open' || settings === null || this.snapshot.heartbeat === 'frozen') return;
    const now = this.#clock.now();
    const oldest = Math.min(...this.#pending.values());
    if (now - oldest >= settings.timeoutMs) {
      this.#event('timeout', `No pong for ${seconds(now - oldest)}: the server is not answering. Closing with ${String(HEARTBEAT_TIMEOUT_CLOSE_CODE)} and reconnecting.`);
      this.#ownClose = { code: HEARTBEAT_TIMEOUT_CLOSE_CODE, reason: `heartbeat timeout: no pong within ${String(settings.timeoutMs)} ms` };
      this.#socket.reconnect(this.#ownClose.code, this.#ownClose.reason);
      return;
    }
    if (now >= this.#nextPingAt) {
      const id = this.#nextPingId++;
      this.#pending.set(id, now);
      this.#nextPingAt = now + settings.intervalMs;
      this.#send({ type: 'ping', id, sent: now });
    }
  }

  #receive(raw: string): void {
    const message = parseServerMessage(heartbeatServerMessageSchema, raw);
    if (message !== null) this.#handle(message);
  }

  #handle(message: HeartbeatServerMessage): void {
    const now = this.#clock.now();
    switch (message.type) {
      case 'welcome':
        this.#nextPingAt = now;
        this.update({ settings: { intervalMs: message.intervalMs, timeoutMs: message.timeoutMs, closeCode: message.closeCode } });
        break;
      case 'ping':
        if (this.snapshot.heartbeat === 'answering') this.#send({ type: 'pong', id: message.id, sent: message.sent });
        else this.update({ ignoredPings: this.snapshot.ignoredPings + 1 });
        break;
      case 'pong': {
        const sentAt = this.#pending.get(message.id);
        if (sentAt === undefined) break;
        this.#pending.delete(message.id);
        this.#recordRtt('client', now, now - sentAt);
        break;
      }
      case 'rtt':
        this.#recordRtt(message.kind === 'application' ? 'serverApplication' : 'serverProtocol', now, message.rttMs);
        this.update({ unknownPongs: message.unknownPongs });
        break;
      case 'subscribed': {
        const previous = this.#topic(message.topic);
        if (!previous.wanted) break;
        // The server sends the topic's current state: what happened while away is summed up, not replayed.
        const missed = previous.seq === null ? 0 : Math.max(0, message.seq - previous.seq);
        this.#updateTopic(message.topic, (view) => ({ ...view, value: message.value, seq: message.seq, missed }));
        if (previous.seq !== null) {
          this.#event(
            'restored',
            `Restored ${message.topic} at update #${String(message.seq)}: ${String(missed)} update${missed === 1 ? '' : 's'} happened while away; this is the latest.`,
          );
        }
        break;
      }
      case 'update': {
        const previous = this.#topic(message.topic);
        if (!previous.wanted) break;
        // A gap means updates the server did not send, e.g. while it was frozen and this connection survived.
        const missed = previous.seq === null ? 0 : Math.max(0, message.seq - previous.seq - 1);
        this.#updateTopic(message.topic, (view) => ({ ...view, value: message.value, seq: message.seq, missed: missed > 0 ? missed : view.missed }));
        break;
      }
      case 'unsubscribed':
        break;
      case 'frozen':
        this.update({ serverFrozenUntil: now + message.seconds * 1000 });
        this.#event('frozen-server', `The server froze its side for ${String(message.seconds)} s: it reads, answers and sends nothing, and refuses this client's new connections meanwhile.`);
        break;
      case 'thawed':
        this.update({ serverFrozenUntil: null });
        this.#event('thawed', `The server is back after ${seconds(message.frozenMs)}, and this connection survived it.`);
        break;
      case 'error':
        this.update({ problem: `The server said: ${message.message}` });
        this.#event('error', message.message);
        break;
    }
  }

  #recordRtt(series: RttSeries, at: number, rttMs: number): void {
    const points = this.#rtt[series];
    points.push({ at, rttMs });
    while (points.length > 0 && (points[0]?.at ?? at) < at - this.#options.windowMs) points.shift();
    this.update({ rtt: { ...this.snapshot.rtt, [series]: rttMs } });
  }

  #send(message: object): boolean {
    if (this.#socket.readyState !== SOCKET_OPEN) return false;
    this.#socket.send(JSON.stringify(message));
    return true;
  }

  #topic(name: HeartbeatTopicName): TopicView {
    const view = this.snapshot.topics.find((topic) => topic.name === name);
    if (view === undefined) throw new Error(`unknown topic ${name}`);
    return view;
  }

  #updateTopic(topic: HeartbeatTopicName, change: (view: TopicView) => TopicView): void {
    this.update({ topics: this.snapshot.topics.map((view) => (view.name === topic ? change(view) : view)) });
  }

  #event(kind: HeartbeatEventKind, text: string): void {
    const events = [...this.snapshot.events, { id: this.#nextEventId++, at: this.#clock.now(), kind, text }];
    this.update({ events: events.slice(-this.#options.maxEvents) });
  }

}
