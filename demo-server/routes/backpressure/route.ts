import { randomUUID } from 'node:crypto';
import type { Connection } from '../../core/connection.ts';
import { formatDuration } from '../../http/log.ts';
import { choiceParam, integerParam } from '../../core/query.ts';
import { onJsonMessages, refuseEveryMessage, type InvalidMessageLimits, type MessageLimits } from '../../core/json-messages.ts';
import { accept, refuse, type Checked, type Route, type RouteContext, type RouteFactory } from '../../core/route.ts';
import {
  BACKPRESSURE_BOUNDS,
  BACKPRESSURE_CLIENT_TYPES,
  BACKPRESSURE_MODES,
  BACKPRESSURE_PATH,
  backpressureClientMessage,
  backpressureEndpoint,
  backpressureStatsEndpoint,
  MAX_BACKPRESSURE_BYTES_PER_SECOND,
  MAX_CREDIT_BALANCE,
  MAX_STATS_WATCHERS,
  serverFrameBytes,
  STATS_RETENTION_MS,
  type BackpressureEnded,
  type BackpressureHello,
  type BackpressureSettings,
  type BackpressureStats,
  type StreamEndCause,
  type StreamState,
} from '../../../src/shared/protocol/backpressure.ts';
import { SOCKET_ERRORS, socketError, type ErrorMessage } from '../../../src/shared/protocol/errors.ts';

/**
 * With pingIntervalMs=0 (long uploads, whose pongs queue behind the data)
 * the route still pings this often and drops a peer silent this long, so no
 * query parameter turns dead-peer detection off: a dead peer goes within 45 s.
 */
const DEAD_PEER_PING_INTERVAL_MS = 15_000;
const DEAD_PEER_PONG_TIMEOUT_MS = 30_000;

/**
 * One timer drives every stream of a server: producers, heartbeats and stats.
 * 10 ms keeps 1,000 messages/s smooth (10 per tick) without a timer per
 * connection.
 */
const TICK_MS = 10;
/** A producer this far behind schedule (a stalled event loop) skips ahead rather than bursting. */
const MAX_CATCH_UP_MS = 100;
/** Invalid messages tolerated: a burst of 20, then 5 a second, before 1008 (the stats channel takes none). */
const ERROR_BURST = 20;
const INVALID_MESSAGE_LIMITS: InvalidMessageLimits = {
  invalidPerSecond: 5,
  invalidBurst: ERROR_BURST,
  tooManyErrorsDetail: () => `more than ${String(ERROR_BURST)} invalid messages`,
};
/** Client messages per second before 1008: a credit per processed message at 1,000 messages/s fits. */
const CLIENT_MESSAGES_PER_SECOND = 2_000;
const CLIENT_MESSAGE_LIMITS: MessageLimits = {
  messagesPerSecond: CLIENT_MESSAGES_PER_SECOND,
  messageBurst: CLIENT_MESSAGES_PER_SECOND,
  rateLimitedDetail: `more than ${String(CLIENT_MESSAGES_PER_SECOND)} messages/s`,
  ...INVALID_MESSAGE_LIMITS,
};
/** Ended streams kept for their stats channel, at most. */
const MAX_RETAINED_ENDED = 1_000;
const STATS_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Filler for data messages: `x`. */
const PAD_BYTE = 0x78;

interface StatsWatcher {
  readonly connection: Connection;
  readonly intervalMs: number;
  nextAt: number;
}

interface Update {
  readonly seq: number;
  readonly producedAt: number;
  readonly value: number;
}

/** Reads and checks the query parameters of `/ws/backpressure`. */
export function readBackpressureSettings(url: URL): Checked<BackpressureSettings> {
  const mode = choiceParam(url, 'mode', BACKPRESSURE_MODES, 'naive');
  if (!mode.ok) return mode;
  const rate = integerParam(url, BACKPRESSURE_BOUNDS.messagesPerSecond, BACKPRESSURE_BOUNDS.messagesPerSecond.default);
  if (!rate.ok) return rate;
  const size = integerParam(url, BACKPRESSURE_BOUNDS.messageBytes, BACKPRESSURE_BOUNDS.messageBytes.default);
  if (!size.ok) return size;
  const ping = integerParam(url, BACKPRESSURE_BOUNDS.pingIntervalMs, BACKPRESSURE_BOUNDS.pingIntervalMs.default);
  if (!ping.ok) return ping;
  const timeout = integerParam(url, BACKPRESSURE_BOUNDS.pongTimeoutMs, BACKPRESSURE_BOUNDS.pongTimeoutMs.default);
  if (!timeout.ok) return timeout;
  const upload = integerParam(url, BACKPRESSURE_BOUNDS.uploadBytesPerSecond, BACKPRESSURE_BOUNDS.uploadBytesPerSecond.default);
  if (!upload.ok) return upload;
  const bytesPerSecond = rate.value * size.value;
  if (bytesPerSecond > MAX_BACKPRESSURE_BYTES_PER_SECOND) {
    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB/s`;
    return refuse(`messagesPerSecond × messageBytes is ${mib(bytesPerSecond)}; at most ${mib(MAX_BACKPRESSURE_BYTES_PER_SECOND)} per connection`);
  }
  return accept({
    mode: mode.value,
    messagesPerSecond: rate.value,
    messageBytes: size.value,
    pingIntervalMs: ping.value,
    pongTimeoutMs: timeout.value,
    uploadBytesPerSecond: upload.value,
  });
}

/**
 * The server side of one `/ws/backpressure` connection: a producer on a
 * schedule, the policy that decides what reaches the socket, and this
 * connection's own heartbeat.
 */
class BackpressureStream {
  readonly statsId = randomUUID();
  readonly settings: BackpressureSettings;
  readonly connection: Connection;
  readonly watchers = new Set<StatsWatcher>();
  state: StreamState = 'streaming';
  produced = 0;
  sent = 0;
  dropped = 0;
  credits = 0;
  lastPingRttMs: number | null = null;
  ended: BackpressureEnded | null = null;
  endedAt = 0;
  readonly #startedAt = performance.now();
  readonly #frameBytes: number;
  #nextValueAt = this.#startedAt;
  #value = 100;
  /** conflate: the latest value, waiting for credit. */
  #held: Update | null = null;
  #droppedSinceSent = 0;
  /** Unanswered pings, oldest first: id → when sent. */
  readonly #pings = new Map<number, number>();
  #nextPingId = 1;
  #nextPingAt = this.#startedAt;
  /** `bufferedAmount` after the last tick, kept for the final account (a destroyed socket reports 0). */
  #lastBufferedBytes = 0;
  /** Set when the heartbeat drops the connection. */
  #heartbeatVerdict: string | null = null;
  /** uploadBytesPerSecond: bytes the server may still read now (a bucket holding at most one second's worth). */
  #readAllowance: number;
  #readAllowanceAt = performance.now();
  #resumeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(connection: Connection, settings: BackpressureSettings) {
    this.connection = connection;
    this.settings = settings;
    this.#frameBytes = serverFrameBytes(settings.messageBytes);
    this.#readAllowance = settings.uploadBytesPerSecond;
    connection.socket.on('pong', (data: Buffer) => {
      this.#answered(Number(data.toString()));
    });
  }

  hello(maxBufferedBytes: number): BackpressureHello {
    return { type: 'hello', statsId: this.statsId, ...this.settings, maxBufferedBytes, serverTime: Date.now() };
  }

  /** Runs everything that is due: the heartbeat check, pings, and the producer. */
  tick(now: number): void {
    if (this.state === 'closed' || !this.connection.isOpen) return;
    if (!this.#heartbeat(now)) return;
    if (this.state === 'streaming') this.#produce(now);
    this.#lastBufferedBytes = this.connection.socket.bufferedAmount;
  }

  /**
   * uploadBytesPerSecond: after reading `bytes`, stops reading the socket for
   * as long as that rate requires. TCP then pushes back to the client, whose
   * own bufferedAmount grows: the mirror image of a slow consumer.
   */
  throttleReading(bytes: number): void {
    const rate = this.settings.uploadBytesPerSecond;
    if (rate === 0) return;
    const now = performance.now();
    this.#readAllowance = Math.min(rate, this.#readAllowance + ((now - this.#readAllowanceAt) / 1000) * rate) - bytes;
    this.#readAllowanceAt = now;
    if (this.#readAllowance >= 0 || this.#resumeTimer !== null) return;
    this.connection.pauseReading('upload-rate');
    this.#resumeTimer = setTimeout(() => {
      this.#resumeTimer = null;
      if (this.connection.isOpen) this.connection.resumeReading('upload-rate');
    }, (-this.#readAllowance / rate) * 1000);
  }

  /** credit/conflate: the client may receive `credits` more messages. Returns the error to report, if any. */
  grant(credits: number): ErrorMessage | null {
    if (this.settings.mode === 'naive') {
      return socketError('CREDIT_IN_NAIVE_MODE', 'this connection is naive; open it with ?mode=credit or ?mode=conflate');
    }
    const balance = this.credits + credits;
    if (balance > MAX_CREDIT_BALANCE) {
      return socketError('CREDIT_LIMIT', `${String(balance)} would be outstanding, at most ${String(MAX_CREDIT_BALANCE)}`);
    }
    this.credits = balance;
    const now = performance.now();
    if (this.#held !== null && this.#send(this.#held)) this.#held = null;
    if (this.state === 'streaming') this.#produce(now);
    return null;
  }

  /** Stops the producer and reports its totals; a value still held for credit counts as dropped. */
  finish(): void {
    if (this.state !== 'streaming') return;
    this.state = 'finished';
    if (this.#held !== null) {
      this.#held = null;
      this.dropped += 1;
    }
    this.connection.sendJson({ type: 'finished', produced: this.produced, sent: this.sent, dropped: this.dropped });
  }

  stats(now: number): BackpressureStats {
    const oldestPing = this.#pings.values().next().value;
    // After the end, report the connection as it was when it ended.
    const at = this.state === 'closed' ? this.endedAt : now;
    return {
      type: 'stats',
      elapsedMs: Math.round(at - this.#startedAt),
      state: this.state,
      produced: this.produced,
      sent: this.sent,
      dropped: this.dropped,
      bufferedBytes: this.state === 'closed' ? (this.ended?.bufferedBytes ?? 0) : this.connection.socket.bufferedAmount,
      credits: this.credits,
      pingsUnanswered: this.#pings.size,
      oldestPingAgeMs: oldestPing === undefined ? 0 : Math.round(at - oldestPing),
      lastPingRttMs: this.lastPingRttMs === null ? null : Math.round(this.lastPingRttMs),
      receivedBytes: this.connection.bytesIn,
    };
  }

  /** Records how the connection ended, from what the server knows. */
  end(receivedCode: number, receivedReason: string): BackpressureEnded {
    const now = performance.now();
    this.state = 'closed';
    this.endedAt = now;
    if (this.#resumeTimer !== null) clearTimeout(this.#resumeTimer);
    const connection = this.connection;
    const serverCloseCode = connection.sentClose?.code ?? null;
    const clientCloseCode = receivedCode === 1006 ? null : receivedCode;
    let cause: StreamEndCause;
    let detail: string;
    if (this.#heartbeatVerdict !== null) {
      cause = 'pong-timeout';
      detail = this.#heartbeatVerdict;
    } else if (serverCloseCode === 1001) {
      cause = 'server-shutdown';
      detail = 'the server is shutting down';
    } else if (serverCloseCode === 1008 && connection.lastError?.startsWith(SOCKET_ERRORS.SEND_BUFFER_FULL.text) === true) {
      cause = 'send-buffer-full';
      detail = connection.lastError;
    } else if (serverCloseCode !== null) {
      cause = 'server-error';
      detail = connection.lastError ?? `the server closed with ${String(serverCloseCode)}`;
    } else if (connection.closedBy === 'client') {
      cause = 'client-closed';
      detail = `the client closed with ${String(receivedCode)}${receivedReason === '' ? '' : ` "${receivedReason}"`}`;
    } else {
      cause = 'connection-lost';
      detail = 'the TCP connection closed without a close frame';
    }
    this.ended = {
      type: 'ended',
      elapsedMs: Math.round(now - this.#startedAt),
      cause,
      detail,
      closedBy: connection.closedBy ?? 'network',
      serverCloseCode,
      clientCloseCode,
      produced: this.produced,
      sent: this.sent,
      dropped: this.dropped,
      bufferedBytes: this.#lastBufferedBytes,
      unsentMessages: Math.min(this.sent, Math.round(this.#lastBufferedBytes / this.#frameBytes)),
    };
    return this.ended;
  }

  /**
   * RFC 6455 §5.5.2: a peer must answer a ping with a pong "as soon as
   * practical". A pong that has not come in `pongTimeoutMs` means a dead
   * peer, or one that stopped reading: its pong is behind every byte queued
   * before the ping. Returns false when it dropped the connection.
   */
  #heartbeat(now: number): boolean {
    // pingIntervalMs=0 turns off the lesson's pings, not dead-peer detection (issue 16).
    const lessonPings = this.settings.pingIntervalMs > 0;
    const interval = lessonPings ? this.settings.pingIntervalMs : DEAD_PEER_PING_INTERVAL_MS;
    const pongTimeoutMs = lessonPings ? this.settings.pongTimeoutMs : Math.max(this.settings.pongTimeoutMs, DEAD_PEER_PONG_TIMEOUT_MS);
    const oldest = this.#pings.values().next().value;
    if (oldest !== undefined && now - oldest >= pongTimeoutMs) {
      this.#lastBufferedBytes = this.connection.socket.bufferedAmount;
      this.#heartbeatVerdict = `no pong for ${formatDuration(now - oldest)} (${String(this.#pings.size)} pings unanswered)`;
      this.connection.terminate(`no pong within ${String(pongTimeoutMs)} ms`);
      return false;
    }
    if (now >= this.#nextPingAt) {
      this.#nextPingAt = now + interval;
      const id = this.#nextPingId++;
      this.#pings.set(id, now);
      this.connection.socket.ping(String(id));
    }
    return true;
  }

  /** Pongs come back in order, so one answers every ping before it too. */
  #answered(id: number): void {
    const sentAt = this.#pings.get(id);
    if (sentAt === undefined) return;
    this.lastPingRttMs = performance.now() - sentAt;
    for (const pending of this.#pings.keys()) {
      if (pending > id) break;
      this.#pings.delete(pending);
    }
  }

  #produce(now: number): void {
    const intervalMs = 1000 / this.settings.messagesPerSecond;
    if (now - this.#nextValueAt > MAX_CATCH_UP_MS) this.#nextValueAt = now - MAX_CATCH_UP_MS;
    while (this.#nextValueAt <= now && this.state === 'streaming' && this.connection.isOpen) {
      // credit: the producer waits for the consumer, so nothing piles up anywhere.
      if (this.settings.mode === 'credit' && this.credits === 0) {
        this.#nextValueAt = now;
        return;
      }
      this.#nextValueAt += intervalMs;
      const update = this.#nextUpdate();
      if (this.settings.mode === 'conflate' && this.credits === 0) {
        if (this.#held !== null) {
          this.dropped += 1;
          this.#droppedSinceSent += 1;
        }
        this.#held = update;
      } else {
        this.#send(update);
      }
    }
  }

  #nextUpdate(): Update {
    this.produced += 1;
    this.#value = Math.max(1, Math.round((this.#value + (Math.random() - 0.5) * 0.5) * 100) / 100);
    return { seq: this.produced, producedAt: Date.now(), value: this.#value };
  }

  #send(update: Update): boolean {
    const head = `{"type":"data","seq":${String(update.seq)},"producedAt":${String(update.producedAt)},"value":${String(update.value)},"dropped":${String(this.#droppedSinceSent)},"pad":"`;
    // Built as bytes (the JSON is ASCII): one allocation per message, which ws queues without copying.
    const size = this.settings.messageBytes;
    const message = Buffer.allocUnsafe(size);
    const headBytes = message.write(head, 'latin1');
    message.fill(PAD_BYTE, headBytes, size - 2);
    message.write('"}', size - 2, 'latin1');
    // Connection.send() enforces the per-client cap (past it the client is cut off with 1008) and the server-wide budget.
    if (!this.connection.send(message, false)) return false;
    this.sent += 1;
    this.#droppedSinceSent = 0;
    if (this.settings.mode !== 'naive') this.credits -= 1;
    return true;
  }
}

/**
 * What the stats channel keeps of a stream once it has ended: its final
 * numbers, and nothing of the connection, so 30 s of retention costs a few
 * hundred bytes per connection, not its buffers.
 */
class EndedStream {
  readonly state = 'closed';
  readonly watchers = new Set<StatsWatcher>();
  readonly ended: BackpressureEnded;
  readonly endedAt: number;
  readonly #finalStats: BackpressureStats;

  constructor(stream: BackpressureStream, ended: BackpressureEnded) {
    this.ended = ended;
    this.endedAt = stream.endedAt;
    this.#finalStats = stream.stats(stream.endedAt);
  }

  stats(): BackpressureStats {
    return this.#finalStats;
  }
}

/** A stream the stats route can watch: live, or ended and retained. */
type WatchedStream = BackpressureStream | EndedStream;

/**
 * The streams of one server, shared by `/ws/backpressure` and its stats
 * route, and the one timer that drives the live ones.
 */
class BackpressureHub {
  readonly #live = new Map<string, BackpressureStream>();
  /** Ended streams, oldest first (a Map keeps insertion order), for late stats readers. */
  readonly #ended = new Map<string, EndedStream>();
  readonly #context: RouteContext;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(context: RouteContext) {
    this.#context = context;
  }

  find(statsId: string): WatchedStream | undefined {
    this.#expire(performance.now());
    return this.#live.get(statsId) ?? this.#ended.get(statsId);
  }

  add(stream: BackpressureStream): void {
    this.#live.set(stream.statsId, stream);
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => {
      this.#tick();
    }, TICK_MS);
    this.#timer.unref();
  }

  /** Sends the final account to every watcher and keeps it for `STATS_RETENTION_MS`. */
  ended(stream: BackpressureStream, ended: BackpressureEnded): void {
    this.#live.delete(stream.statsId);
    const record = new EndedStream(stream, ended);
    for (const watcher of stream.watchers) this.sendFinal(record, watcher);
    this.#ended.set(stream.statsId, record);
    this.#expire(performance.now());
  }

  sendFinal(record: EndedStream, watcher: StatsWatcher): void {
    watcher.connection.sendJson(record.stats());
    watcher.connection.sendJson(record.ended);
    watcher.connection.close(1000, 'data connection closed');
  }

  dispose(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#live.clear();
    this.#ended.clear();
  }

  #expire(now: number): void {
    for (const [statsId, record] of this.#ended) {
      if (this.#ended.size <= MAX_RETAINED_ENDED && now - record.endedAt < STATS_RETENTION_MS) break;
      this.#ended.delete(statsId);
    }
  }

  #tick(): void {
    const now = performance.now();
    for (const stream of this.#live.values()) {
      try {
        stream.tick(now);
        if (stream.state === 'closed') continue;
        for (const watcher of stream.watchers) {
          if (now < watcher.nextAt) continue;
          watcher.nextAt = Math.max(watcher.nextAt + watcher.intervalMs, now);
          watcher.connection.sendJson(stream.stats(now));
        }
      } catch (error) {
        // A bug in one stream must not stop the timer (or crash the process) for the others.
        const message = error instanceof Error ? error.message : String(error);
        this.#context.log('error', `${BACKPRESSURE_PATH} #${String(stream.connection.id)}: ${message}`);
        stream.connection.fail('INTERNAL');
      }
    }
    this.#expire(now);
    if (this.#live.size === 0 && this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }
}

/** One hub per server: both routes of a server receive the same context object. */
const hubs = new WeakMap<RouteContext, BackpressureHub>();
function hubFor(context: RouteContext): BackpressureHub {
  let hub = hubs.get(context);
  if (hub === undefined) {
    hub = new BackpressureHub(context);
    hubs.set(context, hub);
  }
  return hub;
}

/**
 * `/ws/backpressure`: streams numbered, timestamped values at the client's
 * rate and size, in naive, credit or conflate mode. Runs its own heartbeat
 * (per-connection interval and timeout), so the server-wide one is off here.
 */
export const backpressureRoute: RouteFactory<BackpressureSettings> = { doc: backpressureEndpoint, create: createBackpressureRoute };

function createBackpressureRoute(context: RouteContext): Route<BackpressureSettings> {
  const hub = hubFor(context);
  return {
    serverHeartbeat: false,
    check(handshake) {
      return readBackpressureSettings(handshake.url);
    },
    open(connection, _handshake, settings) {
      const stream = new BackpressureStream(connection, settings);
      onJsonMessages(
        connection,
        { schema: backpressureClientMessage, knownTypes: BACKPRESSURE_CLIENT_TYPES },
        CLIENT_MESSAGE_LIMITS,
        (message, reject) => {
          if (message.type === 'upload') return;
          if (message.type === 'finish') {
            stream.finish();
            return;
          }
          const refused = stream.grant(message.credits);
          if (refused !== null) reject(refused);
        },
        // Every message read counts against ?uploadBytesPerSecond=, valid or not.
        { received: (bytes) => stream.throttleReading(bytes) },
      );
      connection.socket.on('close', (code: number, reason: Buffer) => {
        hub.ended(stream, stream.end(code, reason.toString()));
      });
      connection.sendJson(stream.hello(context.options.maxBufferedBytes));
      hub.add(stream);
    },
    dispose() {
      hub.dispose();
    },
  };
}

/**
 * `/ws/backpressure/stats?id=…`: what the server sees of one data
 * connection, on a TCP connection of its own so it keeps flowing while the
 * data socket is jammed. The id is the unguessable statsId from that
 * connection's hello; without it nothing is readable.
 */
/** What a stats handshake asked for: whose stats, and how often. */
interface StatsRequest {
  readonly statsId: string;
  readonly intervalMs: number;
}

export const backpressureStatsRoute: RouteFactory<StatsRequest> = { doc: backpressureStatsEndpoint, create: createBackpressureStatsRoute };

function createBackpressureStatsRoute(context: RouteContext): Route<StatsRequest> {
  const hub = hubFor(context);
  return {
    check(handshake) {
      const id = handshake.url.searchParams.get('id');
      if (id === null || id === '') {
        return refuse(`id is required: pass the statsId from the hello message of ${BACKPRESSURE_PATH}`);
      }
      if (!STATS_ID_PATTERN.test(id)) {
        return refuse(`id must be the statsId (a UUID) from the hello message of ${BACKPRESSURE_PATH}, got ${JSON.stringify(id.slice(0, 40))}`);
      }
      const interval = integerParam(handshake.url, BACKPRESSURE_BOUNDS.statsIntervalMs, BACKPRESSURE_BOUNDS.statsIntervalMs.default);
      if (!interval.ok) return interval;
      const stream = hub.find(id);
      if (stream === undefined) {
        return refuse(`no ${BACKPRESSURE_PATH} connection has this stats id: it never existed, or ended more than ${String(STATS_RETENTION_MS / 1000)} s ago`, 404);
      }
      if (stream.watchers.size >= MAX_STATS_WATCHERS) {
        return refuse(`this connection already has ${String(MAX_STATS_WATCHERS)} stats sockets; close one first`, 409);
      }
      return accept({ statsId: id, intervalMs: interval.value });
    },
    open(connection, _handshake, { statsId, intervalMs }) {
      // Looked up again: the stream may have ended, or expired, between the check and the upgrade.
      const stream = hub.find(statsId);
      if (stream === undefined) {
        connection.close(1000, 'data connection ended');
        return;
      }
      const now = performance.now();
      const watcher: StatsWatcher = { connection, intervalMs, nextAt: now };
      refuseEveryMessage(connection, socketError('STATS_READ_ONLY'), INVALID_MESSAGE_LIMITS);
      connection.socket.on('close', () => {
        stream.watchers.delete(watcher);
      });
      if (stream instanceof EndedStream) {
        hub.sendFinal(stream, watcher);
        return;
      }
      stream.watchers.add(watcher);
    },
    dispose() {
      hub.dispose();
    },
  };
}
