import { isIP } from 'node:net';
import { resolveChatOptions } from './routes/chat/options.ts';
import { resolveClassroomOptions, type ClassroomSettings } from './routes/classroom/options.ts';
import type { ChatOptions } from '../src/shared/protocol/chat.ts';
import { requireBoundedInteger, type BoundedInteger } from '../src/shared/bounded-integer.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../src/shared/message-limits.ts';
import type { ClusterAdminOptions } from './http/cluster-admin.ts';

/**
 * Options of `createDemoServer()`: one object, a `DEFAULTS` table, units in
 * the names. Contradictory or out-of-range values throw a `TypeError` at
 * construction so a bad flag fails at start-up, not at the first client.
 */

export interface DemoServerOptions {
  /** Folder of the built site to serve; `null` serves no pages (endpoints only). */
  staticDir: string | null;
  /** Largest message a client may send; bigger closes the connection with 1009. */
  maxMessageBytes: number;
  /**
   * Extra origins allowed to open WebSockets, as full origins
   * (`http://host:port`), or `*` for any. Same-origin pages and pages served
   * from localhost are always allowed.
   */
  allowedOrigins: readonly string[];
  /** Most WebSocket connections at once; more get HTTP 503 at the handshake. */
  maxConnections: number;
  /** Most WebSocket connections open at once from one address (a class behind one NAT shares one); more get 503. */
  maxConnectionsPerAddress: number;
  /** Handshakes a second from one address; more get 429 with Retry-After. */
  handshakesPerSecondPerAddress: number;
  /** Handshakes one address may make at once before the rate applies. */
  handshakeBurstPerAddress: number;
  /** Time to receive a request's headers (a handshake is one); slower connections are closed. */
  headersTimeoutMs: number;
  /** Time to receive a whole request. */
  requestTimeoutMs: number;
  /**
   * Host names this server answers to besides loopback names and the
   * machine's own addresses and name (against DNS rebinding); `*` for any.
   */
  allowedHosts: readonly string[];
  /**
   * Addresses of reverse proxies (nginx) whose `X-Forwarded-For` names the
   * client: requests from them are counted and logged under that client's
   * address, not the proxy's. Empty: the header is never believed.
   */
  trustedProxies: readonly string[];
  /** Most bytes queued for one client (payload plus per-message overhead) before it is cut off with 1008. */
  maxBufferedBytes: number;
  /**
   * Bytes queued for all clients together; when a send would pass it, the
   * client holding the most is dropped at once (see core/memory-budget.ts).
   */
  maxTotalBufferedBytes: number;
  /** Stop reading a client while more than this is queued for it (capped at half of `maxBufferedBytes`). */
  readHighWaterBytes: number;
  /** Read the client again once its queue is under this. */
  readLowWaterBytes: number;
  /** Protocol ping interval; a client that has not answered the previous ping is dropped. `0` turns it off. */
  heartbeatIntervalMs: number;
  /** How long a close handshake may take before the TCP connection is destroyed. */
  closeTimeoutMs: number;
  /** How long a ticket from `POST /account/ticket` stays valid (chapter 10). */
  ticketTtlMs: number;
  /** Receives one human-readable line per event; `null` is silent. */
  log: ((line: string) => void) | null;
  /**
   * Overrides of the chat's limits (`CHAT_DEFAULTS` in src/shared/protocol/chat.ts),
   * e.g. a benchmark's `{ maxMembersPerRoom: 2000, messagesPerSecond: 10_000 }`.
   * `{}` keeps every default.
   */
  chat: Readonly<Partial<ChatOptions>>;
  /**
   * A certificate and its private key (PEM) to serve https and wss instead of
   * http and ws; `null` serves plain http. `--tls` makes a self-signed pair at
   * start (http/tls.ts).
   */
  tls: Readonly<TlsCredentials> | null;
  /**
   * Shares chat rooms with every server process on the same Redis
   * (`--redis redis://host:port`); `null` keeps them in this process's memory.
   * `memberTtlMs`: how long a dead process's members stay listed (default 10000).
   */
  chatRedis: Readonly<{ url: string; memberTtlMs?: number }> | null;
  /**
   * Whether `GET /metrics` answers other machines; by default only this one
   * (a loopback address without a forwarding header, http/metrics-access.ts).
   */
  metricsOnLan: boolean;
  /**
   * Class mode (`--classroom`, or a non-loopback `--host`): `/ws/classroom`,
   * the teacher's socket and `/classroom/teacher/*`, with progress kept in
   * `dataDir`; `null` is off (those endpoints answer 404).
   */
  classroom: Readonly<ClassroomSettings> | null;
  /**
   * Chapter 11's admin actions (stop, start, drain an instance), only for an
   * instance `npm run cluster` started: its secret and control server, from
   * the environment (http/cluster-admin.ts); `null` answers 404 to `/cluster/`.
   */
  clusterAdmin: Readonly<ClusterAdminOptions> | null;
}

/** PEM text of a certificate (chain) and its private key. */
export interface TlsCredentials {
  cert: string;
  key: string;
}

export const DEFAULTS: Readonly<DemoServerOptions> = {
  staticDir: null,
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  allowedOrigins: [],
  maxConnections: 20_000,
  maxConnectionsPerAddress: 256,
  handshakesPerSecondPerAddress: 50,
  handshakeBurstPerAddress: 200,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  allowedHosts: [],
  trustedProxies: [],
  maxBufferedBytes: 16 * 1024 * 1024,
  maxTotalBufferedBytes: 256 * 1024 * 1024,
  readHighWaterBytes: 1024 * 1024,
  readLowWaterBytes: 256 * 1024,
  heartbeatIntervalMs: 30_000,
  closeTimeoutMs: 1_000,
  ticketTtlMs: 10_000,
  log: null,
  chat: {},
  tls: null,
  chatRedis: null,
  metricsOnLan: false,
  classroom: null,
  clusterAdmin: null,
};

/**
 * The range of every numeric option, declared once: `resolveOptions()` checks
 * them and the flags (`flags.ts`) read them, under their flag names.
 */
export const OPTION_BOUNDS = {
  maxMessageBytes: { name: 'maxMessageBytes', min: 1, max: 100 * 1024 * 1024 },
  maxConnections: { name: 'maxConnections', min: 1, max: 1_000_000 },
  maxBufferedBytes: { name: 'maxBufferedBytes', min: 1024, max: 1024 * 1024 * 1024 },
  maxConnectionsPerAddress: { name: 'maxConnectionsPerAddress', min: 1, max: 1_000_000 },
  handshakesPerSecondPerAddress: { name: 'handshakesPerSecondPerAddress', min: 1, max: 1_000_000 },
  handshakeBurstPerAddress: { name: 'handshakeBurstPerAddress', min: 1, max: 4_000_000 },
  headersTimeoutMs: { name: 'headersTimeoutMs', min: 1_000, max: 600_000 },
  requestTimeoutMs: { name: 'requestTimeoutMs', min: 1_000, max: 3_600_000 },
  maxTotalBufferedBytes: { name: 'maxTotalBufferedBytes', min: 1024, max: 16 * 1024 * 1024 * 1024 },
  readHighWaterBytes: { name: 'readHighWaterBytes', min: 1024, max: 1024 * 1024 * 1024 },
  readLowWaterBytes: { name: 'readLowWaterBytes', min: 0, max: 1024 * 1024 * 1024 },
  heartbeatIntervalMs: { name: 'heartbeatIntervalMs', min: 0, max: 3_600_000 },
  chatRedisMemberTtlMs: { name: 'chatRedis.memberTtlMs', min: 500, max: 3_600_000 },
  closeTimeoutMs: { name: 'closeTimeoutMs', min: 1, max: 60_000 },
  ticketTtlMs: { name: 'ticketTtlMs', min: 100, max: 600_000 },
} as const satisfies Record<string, BoundedInteger>;

function requireInteger(name: keyof typeof OPTION_BOUNDS, value: number): void {
  requireBoundedInteger(OPTION_BOUNDS[name], value);
}

/** Merges `options` over `DEFAULTS` and validates the result. */
export function resolveOptions(options: Partial<DemoServerOptions> = {}): DemoServerOptions {
  const resolved: DemoServerOptions = { ...DEFAULTS, ...options };
  requireInteger('maxMessageBytes', resolved.maxMessageBytes);
  requireInteger('ticketTtlMs', resolved.ticketTtlMs);
  requireInteger('maxConnections', resolved.maxConnections);
  requireInteger('maxBufferedBytes', resolved.maxBufferedBytes);
  requireInteger('maxConnectionsPerAddress', resolved.maxConnectionsPerAddress);
  requireInteger('handshakesPerSecondPerAddress', resolved.handshakesPerSecondPerAddress);
  requireInteger('handshakeBurstPerAddress', resolved.handshakeBurstPerAddress);
  requireInteger('headersTimeoutMs', resolved.headersTimeoutMs);
  requireInteger('requestTimeoutMs', resolved.requestTimeoutMs);
  if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) {
    throw new TypeError(`headersTimeoutMs (${String(resolved.headersTimeoutMs)}) cannot exceed requestTimeoutMs (${String(resolved.requestTimeoutMs)}): headers are part of the request`);
  }
  for (const host of resolved.allowedHosts) {
    if (host !== '*' && !/^[a-z0-9.:[\]-]+$/i.test(host)) throw new TypeError(`allowedHosts entries are host names or addresses without a port, or *, got ${JSON.stringify(host)}`);
  }
  for (const proxy of resolved.trustedProxies) {
    if (isIP(proxy) === 0) throw new TypeError(`trustedProxies entries are IP addresses (127.0.0.1, ::1), got ${JSON.stringify(proxy)}`);
  }
  requireInteger('maxTotalBufferedBytes', resolved.maxTotalBufferedBytes);
  requireInteger('readHighWaterBytes', resolved.readHighWaterBytes);
  requireInteger('readLowWaterBytes', resolved.readLowWaterBytes);
  if (resolved.readLowWaterBytes >= resolved.readHighWaterBytes) {
    throw new TypeError(`readLowWaterBytes (${String(resolved.readLowWaterBytes)}) must be below readHighWaterBytes (${String(resolved.readHighWaterBytes)})`);
  }
  if (resolved.maxTotalBufferedBytes < resolved.maxBufferedBytes) {
    throw new TypeError(
      `maxTotalBufferedBytes (${String(resolved.maxTotalBufferedBytes)}) must be at least maxBufferedBytes (${String(resolved.maxBufferedBytes)}): one client's queue must fit in the server's budget`,
    );
  }
  requireInteger('heartbeatIntervalMs', resolved.heartbeatIntervalMs);
  requireInteger('closeTimeoutMs', resolved.closeTimeoutMs);
  if (resolved.heartbeatIntervalMs !== 0 && resolved.heartbeatIntervalMs < 100) {
    throw new TypeError(`heartbeatIntervalMs must be 0 (off) or at least 100, got ${String(resolved.heartbeatIntervalMs)}`);
  }
  if (resolved.maxBufferedBytes < resolved.maxMessageBytes) {
    throw new TypeError(
      `maxBufferedBytes (${String(resolved.maxBufferedBytes)}) must be at least maxMessageBytes (${String(resolved.maxMessageBytes)}): an echo of one full message must fit`,
    );
  }
  resolveChatOptions(resolved.chat);
  if (resolved.chatRedis !== null) {
    if (!/^rediss?:\/\/[^\s]+$/.test(resolved.chatRedis.url)) {
      throw new TypeError(`the Redis address looks like redis://host:port, got ${JSON.stringify(resolved.chatRedis.url)}`);
    }
    if (resolved.chatRedis.memberTtlMs !== undefined) requireInteger('chatRedisMemberTtlMs', resolved.chatRedis.memberTtlMs);
  }
  if (resolved.classroom !== null) resolveClassroomOptions(resolved.classroom);
  for (const origin of resolved.allowedOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new TypeError(`allowedOrigins entries must look like http://host:port or be *, got ${JSON.stringify(origin)}`);
    }
  }
  return resolved;
}
