/**
 * `/ws/backpressure` and its stats channel `/ws/backpressure/stats`: a
 * server that streams numbered, timestamped messages at a rate the client
 * chooses, in three modes (naive, credit, conflate), and publishes what it
 * sees of each connection on a second socket.
 */
import * as v from 'valibot';
import { integerRange, type BoundedInteger } from '../bounded-integer.ts';
import type { EndpointDoc } from './endpoint-doc.ts';

export const BACKPRESSURE_PATH = '/ws/backpressure';
export const BACKPRESSURE_STATS_PATH = '/ws/backpressure/stats';

/**
 * `naive`: sends on schedule whatever the client does; `credit`: sends only
 * against credit the client grants, and the producer waits for it;
 * `conflate`: produces on schedule, but while the client has no credit
 * keeps only the latest value and counts the ones it superseded.
 */
export type BackpressureMode = 'naive' | 'credit' | 'conflate';
export const BACKPRESSURE_MODES: readonly BackpressureMode[] = ['naive', 'credit', 'conflate'];

/** A bounded whole number with its default; `name` is its query parameter. */
export interface IntegerBound extends BoundedInteger {
  readonly default: number;
}

/** Bounds of every number a client chooses; out of range is refused with HTTP 400 at the handshake. */
export const BACKPRESSURE_BOUNDS = {
  messagesPerSecond: { name: 'messagesPerSecond', min: 1, max: 1_000, default: 100 },
  /** Total size of each data message, JSON envelope included; the smallest fits the envelope. */
  messageBytes: { name: 'messageBytes', min: 128, max: 65_536, default: 10_240 },
  /** `0` turns the heartbeat off. */
  pingIntervalMs: { name: 'pingIntervalMs', min: 200, max: 60_000, default: 1_000, zeroMeansOff: true },
  pongTimeoutMs: { name: 'pongTimeoutMs', min: 1_000, max: 120_000, default: 10_000 },
  statsIntervalMs: { name: 'intervalMs', min: 50, max: 5_000, default: 100 },
  /** How fast the server reads what the client sends; `0` reads as fast as it can. */
  uploadBytesPerSecond: { name: 'uploadBytesPerSecond', min: 1_024, max: 8 * 1024 * 1024, default: 0, zeroMeansOff: true },
} as const satisfies Record<string, IntegerBound>;

/** Most bytes per second one connection may ask for (rate × size). */
export const MAX_BACKPRESSURE_BYTES_PER_SECOND = 8 * 1024 * 1024;
/** Most credits one grant may carry, and most a client may have outstanding. */
export const MAX_CREDIT_GRANT = 1_000;
export const MAX_CREDIT_BALANCE = 1_000;
/** Stats sockets that may watch one data connection at once. */
export const MAX_STATS_WATCHERS = 4;
/** How long the final stats of an ended connection stay readable. */
export const STATS_RETENTION_MS = 30_000;
/**
 * The private-use close code (RFC 6455 §7.4.2) a consumer sends when it
 * gives up because its own backlog passed its memory budget. 4008 echoes
 * 1008 (policy), which only servers may use with browsers.
 */
export const BACKLOG_OVER_BUDGET_CLOSE_CODE = 4008;

// ---- Client → server ------------------------------------------------------

const creditMessage = v.object({
  type: v.literal('credit'),
  credits: v.pipe(
    v.number('must be a number'),
    v.integer('must be a whole number'),
    v.minValue(1, 'must be at least 1'),
    v.maxValue(MAX_CREDIT_GRANT, `must be at most ${String(MAX_CREDIT_GRANT)} per message`),
  ),
});
const finishMessage = v.object({ type: v.literal('finish') });
/** Anything the client wants to send, to watch its own bufferedAmount while a slow server reads it. */
const uploadMessage = v.object({ type: v.literal('upload'), data: v.string('must be a string') });

export const backpressureClientMessage = v.variant('type', [creditMessage, finishMessage, uploadMessage]);
export type BackpressureClientMessage = v.InferOutput<typeof backpressureClientMessage>;
export const BACKPRESSURE_CLIENT_TYPES = ['credit', 'finish', 'upload'] as const;

// ---- Server → client ------------------------------------------------------

const count = v.pipe(v.number(), v.integer(), v.minValue(0));

export const backpressureHello = v.object({
  type: v.literal('hello'),
  /** Unguessable id that opens this connection's stats channel. */
  statsId: v.pipe(v.string(), v.uuid()),
  mode: v.picklist(BACKPRESSURE_MODES),
  messagesPerSecond: count,
  messageBytes: count,
  pingIntervalMs: count,
  pongTimeoutMs: count,
  uploadBytesPerSecond: count,
  /** The server-wide cap on bytes queued for one client (close 1008 beyond it). */
  maxBufferedBytes: count,
  /** Server clock (epoch ms) when the hello was sent, to correct message ages for clock skew. */
  serverTime: v.number(),
});
export type BackpressureHello = v.InferOutput<typeof backpressureHello>;

export const backpressureData = v.object({
  type: v.literal('data'),
  /** Counts every value produced, so gaps show what conflation dropped. */
  seq: count,
  /** Server clock (epoch ms) when the value was produced. */
  producedAt: v.number(),
  /** The payload a ticker would carry: a random walk. */
  value: v.number(),
  /** Values superseded since the previous message (conflate mode), else 0. */
  dropped: count,
  /** Filler that brings the message to the requested size. */
  pad: v.string(),
});
export type BackpressureData = v.InferOutput<typeof backpressureData>;

export const backpressureFinished = v.object({
  type: v.literal('finished'),
  produced: count,
  sent: count,
  dropped: count,
});
export type BackpressureFinished = v.InferOutput<typeof backpressureFinished>;

const errorMessage = v.object({
  type: v.literal('error'),
  error: v.string(),
  message: v.string(),
  closeCode: v.optional(v.number()),
});

export const backpressureServerMessage = v.variant('type', [backpressureHello, backpressureData, backpressureFinished, errorMessage]);
export type BackpressureServerMessage = v.InferOutput<typeof backpressureServerMessage>;

// ---- Stats channel (server → client only) ---------------------------------

export type StreamState = 'streaming' | 'finished' | 'closed';

export const backpressureStats = v.object({
  type: v.literal('stats'),
  elapsedMs: v.number(),
  state: v.picklist(['streaming', 'finished', 'closed']),
  /** Values the producer made (credit mode: made only when there was credit). */
  produced: count,
  /** Messages handed to the socket. */
  sent: count,
  /** Values superseded before they could be sent (conflate mode). */
  dropped: count,
  /** `bufferedAmount` of the server's socket: bytes the server holds for this client. */
  bufferedBytes: count,
  /** Credit the client has granted and the server has not used yet. */
  credits: count,
  /** Protocol pings sent and not answered yet (RFC 6455 §5.5.2). */
  pingsUnanswered: count,
  /** Age of the oldest unanswered ping; 0 when none. */
  oldestPingAgeMs: v.number(),
  /** Round trip of the last answered ping, or `null` before the first pong. */
  lastPingRttMs: v.nullable(v.number()),
  /** Bytes of client messages the server has read so far. */
  receivedBytes: count,
});
export type BackpressureStats = v.InferOutput<typeof backpressureStats>;

/**
 * Why a data connection ended, as the server saw it:
 * `pong-timeout`: its heartbeat gave up and dropped the TCP connection;
 * `send-buffer-full`: the server-wide cap cut the client off (1008);
 * `client-closed`: the client sent a close frame;
 * `connection-lost`: TCP closed with no close frame from either side;
 * `server-shutdown`: 1001; `server-error`: another close by the server.
 */
export type StreamEndCause = 'pong-timeout' | 'send-buffer-full' | 'client-closed' | 'connection-lost' | 'server-shutdown' | 'server-error';
export const STREAM_END_CAUSES: readonly StreamEndCause[] = [
  'pong-timeout',
  'send-buffer-full',
  'client-closed',
  'connection-lost',
  'server-shutdown',
  'server-error',
];

export const backpressureEnded = v.object({
  type: v.literal('ended'),
  elapsedMs: v.number(),
  cause: v.picklist(STREAM_END_CAUSES),
  /** The server's account in words, e.g. `no pong for 10.0 s (11 pings unanswered)`. */
  detail: v.string(),
  closedBy: v.picklist(['server', 'client', 'network']),
  /** The close frame the server sent, or `null` when it sent none (it dropped TCP, or the client closed first). */
  serverCloseCode: v.nullable(v.number()),
  /** The close code the server received from the client, or `null` when none arrived (1006). */
  clientCloseCode: v.nullable(v.number()),
  produced: count,
  sent: count,
  dropped: count,
  /** What the server still held for this client when it ended. */
  bufferedBytes: count,
  /** About how many whole messages those bytes were: they never left the server. */
  unsentMessages: count,
});
export type BackpressureEnded = v.InferOutput<typeof backpressureEnded>;

export const backpressureStatsMessage = v.variant('type', [backpressureStats, backpressureEnded, errorMessage]);
export type BackpressureStatsMessage = v.InferOutput<typeof backpressureStatsMessage>;

// ---- Query parameters -----------------------------------------------------

export interface BackpressureSettings {
  readonly mode: BackpressureMode;
  readonly messagesPerSecond: number;
  readonly messageBytes: number;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly uploadBytesPerSecond: number;
}

export const DEFAULT_BACKPRESSURE_SETTINGS: BackpressureSettings = {
  mode: 'naive',
  messagesPerSecond: BACKPRESSURE_BOUNDS.messagesPerSecond.default,
  messageBytes: BACKPRESSURE_BOUNDS.messageBytes.default,
  pingIntervalMs: BACKPRESSURE_BOUNDS.pingIntervalMs.default,
  pongTimeoutMs: BACKPRESSURE_BOUNDS.pongTimeoutMs.default,
  uploadBytesPerSecond: BACKPRESSURE_BOUNDS.uploadBytesPerSecond.default,
};

/** The query string for `settings`, listing only what differs from the defaults. */
export function backpressureQuery(settings: Partial<BackpressureSettings>): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(settings)) {
    if (value !== DEFAULT_BACKPRESSURE_SETTINGS[name as keyof BackpressureSettings]) {
      parameters.set(name, String(value));
    }
  }
  const query = parameters.toString();
  return query === '' ? '' : `?${query}`;
}

/** Bytes of a WebSocket frame carrying `payloadBytes` unmasked (server → client, RFC 6455 §5.2). */
export function serverFrameBytes(payloadBytes: number): number {
  if (payloadBytes <= 125) return payloadBytes + 2;
  if (payloadBytes <= 65_535) return payloadBytes + 4;
  return payloadBytes + 10;
}

const exampleStatsId = '3f2b8c1e-5a7d-4e9b-9c61-0d4f2a8b7e15';

const settingsQueryDocs = [
  { name: 'mode', description: 'How the server treats a slow client.', default: 'naive', allowed: 'naive | credit | conflate' },
  {
    name: 'messagesPerSecond',
    description: 'Values produced per second.',
    default: String(BACKPRESSURE_BOUNDS.messagesPerSecond.default),
    allowed: integerRange(BACKPRESSURE_BOUNDS.messagesPerSecond),
  },
  {
    name: 'messageBytes',
    description: 'Size of each data message, JSON included. Rate × size may not exceed 8 MiB/s.',
    default: String(BACKPRESSURE_BOUNDS.messageBytes.default),
    allowed: integerRange(BACKPRESSURE_BOUNDS.messageBytes),
  },
  {
    name: 'pingIntervalMs',
    description: 'Protocol ping interval of this connection\'s heartbeat; 0 turns it off.',
    default: String(BACKPRESSURE_BOUNDS.pingIntervalMs.default),
    allowed: integerRange(BACKPRESSURE_BOUNDS.pingIntervalMs),
  },
  {
    name: 'pongTimeoutMs',
    description: 'A ping unanswered this long makes the server drop the TCP connection (the client sees 1006).',
    default: String(BACKPRESSURE_BOUNDS.pongTimeoutMs.default),
    allowed: integerRange(BACKPRESSURE_BOUNDS.pongTimeoutMs),
  },
  {
    name: 'uploadBytesPerSecond',
    description: 'How fast the server reads what the client sends (upload messages), so a client can watch its own bufferedAmount grow; 0 reads as fast as it can.',
    default: '0',
    allowed: integerRange(BACKPRESSURE_BOUNDS.uploadBytesPerSecond),
  },
];

export const backpressureEndpoint: EndpointDoc = {
  path: BACKPRESSURE_PATH,
  chapter: 'backpressure',
  summary:
    'Streams numbered, timestamped messages at the rate and size the client chooses. naive mode sends regardless and drops clients whose pings go unanswered; credit mode sends only against credit; conflate mode keeps the latest value and counts what it dropped. The first message gives the id of the stats channel.',
  query: settingsQueryDocs,
  messages: [
    {
      type: 'hello',
      direction: 'server-to-client',
      description: 'First message: the settings in force and the id that opens /ws/backpressure/stats.',
      example: {
        type: 'hello',
        statsId: exampleStatsId,
        mode: 'naive',
        messagesPerSecond: 100,
        messageBytes: 10_240,
        pingIntervalMs: 1_000,
        pongTimeoutMs: 10_000,
        uploadBytesPerSecond: 0,
        maxBufferedBytes: 16_777_216,
        serverTime: 1_767_225_600_000,
      },
    },
    {
      type: 'data',
      direction: 'server-to-client',
      description: 'One value, padded to messageBytes. seq counts every value produced; dropped counts values superseded since the previous message (conflate).',
      example: { type: 'data', seq: 42, producedAt: 1_767_225_600_420, value: 101.25, dropped: 0, pad: 'xxxxxxxx' },
    },
    {
      type: 'credit',
      direction: 'client-to-server',
      description: `credit and conflate modes: permission to send this many more messages (1–${String(MAX_CREDIT_GRANT)}; at most ${String(MAX_CREDIT_BALANCE)} outstanding).`,
      example: { type: 'credit', credits: 16 },
    },
    {
      type: 'finish',
      direction: 'client-to-server',
      description: 'Stop producing; the server answers with finished and its totals, so the client can drain and close with nothing lost.',
      example: { type: 'finish' },
    },
    {
      type: 'upload',
      direction: 'client-to-server',
      description: 'Any data, read and counted (receivedBytes in the stats), at most uploadBytesPerSecond: for watching bufferedAmount on your own sends.',
      example: { type: 'upload', data: 'xxxxxxxx' },
    },
    {
      type: 'finished',
      direction: 'server-to-client',
      description: 'The producer stopped; these are its totals.',
      example: { type: 'finished', produced: 240, sent: 240, dropped: 0 },
    },
    {
      type: 'error',
      direction: 'server-to-client',
      description: 'Invalid input (not JSON, unknown type, credits out of range or over the balance); the connection stays up.',
      example: { type: 'error', error: 'CREDIT_LIMIT', message: 'credit balance over the limit: 1200 would be outstanding, at most 1000' },
    },
  ],
  limits: [
    `Rate 1–1000 messages/s, size 128–65536 bytes, and rate × size at most 8 MiB/s; out of range is refused with HTTP 400.`,
    `Credits: 1–${String(MAX_CREDIT_GRANT)} per message and at most ${String(MAX_CREDIT_BALANCE)} outstanding; more gets an error message and is not granted.`,
    'More than 2000 messages/s from the client closes with 1008; repeated invalid messages close with 1008; a message over the server\'s --max-message-bytes closes with 1009.',
    'With uploadBytesPerSecond set, the server stops reading between messages to keep to that rate, so pongs queue behind uploads too: use pingIntervalMs=0 for long uploads.',
    'Whatever the mode, a client with more than the server\'s send-buffer cap queued (16 MiB by default) is cut off with 1008.',
  ],
  closeCodes: [
    { code: 1001, when: 'the server is shutting down' },
    { code: 1006, when: 'the heartbeat gave up (a ping went unanswered for pongTimeoutMs), or the server-wide send budget was reached and this client held the most: either way the server dropped the TCP connection without a close frame' },
    { code: 1008, when: 'the send buffer passed the per-client cap (--max-buffered-bytes), or the client flooded or kept sending invalid messages' },
  ],
  clientSchema: backpressureClientMessage,
  serverSchema: backpressureServerMessage,
};

export const backpressureStatsEndpoint: EndpointDoc = {
  path: BACKPRESSURE_STATS_PATH,
  chapter: 'backpressure',
  summary:
    'What the server sees of one /ws/backpressure connection (sent, buffered bytes, unanswered pings, credits), on a separate TCP connection so it keeps flowing while the data socket is jammed. Readable only with the statsId from that connection\'s hello.',
  query: [
    { name: 'id', description: 'The statsId from the hello message of the /ws/backpressure connection to watch. Missing or malformed: HTTP 400; unknown or expired: HTTP 404.' },
    {
      name: 'intervalMs',
      description: 'Time between stats messages.',
      default: String(BACKPRESSURE_BOUNDS.statsIntervalMs.default),
      allowed: integerRange(BACKPRESSURE_BOUNDS.statsIntervalMs),
    },
  ],
  messages: [
    {
      type: 'stats',
      direction: 'server-to-client',
      description: 'Counters and gauges of the watched connection, every intervalMs.',
      example: {
        type: 'stats',
        elapsedMs: 8_000,
        state: 'streaming',
        produced: 800,
        sent: 800,
        dropped: 0,
        bufferedBytes: 3_145_728,
        credits: 0,
        pingsUnanswered: 6,
        oldestPingAgeMs: 5_900,
        lastPingRttMs: 3_200,
        receivedBytes: 0,
      },
    },
    {
      type: 'ended',
      direction: 'server-to-client',
      description: 'The watched connection ended: why, who closed, which codes went each way, and the final counts. The stats socket then closes with 1000.',
      example: {
        type: 'ended',
        elapsedMs: 13_000,
        cause: 'pong-timeout',
        detail: 'no pong for 10.0 s (10 pings unanswered)',
        closedBy: 'server',
        serverCloseCode: null,
        clientCloseCode: null,
        produced: 1_300,
        sent: 1_300,
        dropped: 0,
        bufferedBytes: 7_700_000,
        unsentMessages: 751,
      },
    },
  ],
  limits: [`At most ${String(MAX_STATS_WATCHERS)} stats sockets per data connection (HTTP 409 beyond). Final stats stay readable for ${String(STATS_RETENTION_MS / 1000)} s after the data connection ends.`, 'The channel only sends: a message to it gets an error.'],
  closeCodes: [
    { code: 1000, when: 'the watched data connection ended (after the ended message)' },
    { code: 1001, when: 'the server is shutting down' },
  ],
  clientSchema: null,
  serverSchema: backpressureStatsMessage,
};
