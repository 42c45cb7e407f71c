import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connection } from './connection.ts';
import type { DemoServerOptions } from '../options.ts';
import type { EndpointDoc } from '../../src/shared/protocol/endpoint-doc.ts';
import type { RouteMetrics } from './metrics.ts';

/** An HTTP answer that refuses a handshake before it becomes a WebSocket. */
export interface HandshakeRefusal {
  readonly status: number;
  readonly message: string;
  /** Extra response headers, e.g. `Retry-After` with a 429. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a route receives about the handshake that opened its connection. */
export interface Handshake {
  readonly request: IncomingMessage;
  readonly url: URL;
  /** Values captured from the path, e.g. `{ room: 'lobby' }` for `/ws/chat/lobby`. */
  readonly params: Readonly<Record<string, string>>;
  /**
   * The response the server wrote to complete the upgrade: the status line
   * then each header line (`HTTP/1.1 101 Switching Protocols`, `Upgrade: websocket`, …).
   * Filled in before `open()` is called.
   */
  readonly responseLines: string[];
}

/**
 * What `check()` concluded: the value it parsed from the handshake (query
 * parameters, path segments), handed to `open()`, or the HTTP answer that
 * refuses the upgrade.
 */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: HandshakeRefusal };

/** `check()` accepts the handshake and hands `value` to `open()`. */
export function accept<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** `check()` refuses the handshake with `status` (400 unless given) and `message` as the body. */
export function refuse(message: string, status = 400): { readonly ok: false; readonly refusal: HandshakeRefusal } {
  return { ok: false, refusal: { status, message } };
}

/** Server-wide facilities a route may use. */
export interface RouteContext {
  readonly options: DemoServerOptions;
  /** Writes one line to the server log. */
  log(event: string, message: string): void;
  /**
   * The port of the attacker listener (chapter 10's "other site"), once it
   * listens; `null` when it is off or not started (`DemoServer.listenAttacker`).
   */
  attackerPort(): number | null;
  /** What routes add to `GET /metrics` (the chat's broker latency); absent in unit tests that make a route alone. */
  readonly metrics?: RouteMetrics;
}

interface RouteBase<T> {
  /** Picks a subprotocol from those the client offered, or `false` for none (RFC 6455 §4.2.2). */
  selectProtocol?(offered: ReadonlySet<string>, handshake: Handshake): string | false;
  /** Takes over a new connection, with what `check()` parsed from its handshake. */
  open(connection: Connection, handshake: Handshake, checked: T): void;
  /**
   * Largest message this endpoint accepts, when it must differ from the
   * server's `maxMessageBytes` (bigger closes with 1009, RFC 6455 §7.4.1).
   */
  readonly maxMessageBytes?: number;
  /** Whether the server-wide protocol heartbeat applies (default true). */
  readonly serverHeartbeat?: boolean;
  /** Releases timers and state when the server closes. */
  dispose?(): void;
  /**
   * Answers a plain HTTP request that belongs to this route (any method,
   * any path outside `/ws/`, e.g. `/account/login`) and returns `true`;
   * returns `false` to leave it to the next route and then the site. The
   * server has checked the Host header; the route checks everything else.
   */
  handleHttp?(request: IncomingMessage, response: ServerResponse, url: URL): boolean;
}

/**
 * One WebSocket endpoint. A route is created once per server (so it can keep
 * state such as chat rooms) and receives each connection to its path. `T` is
 * what its `check()` parses from a handshake and its `open()` receives.
 */
export interface Route<T = undefined> extends RouteBase<T> {
  /**
   * Checks query parameters and the like before the upgrade and returns what
   * it parsed, for `open()`; a refusal is sent as HTTP. A route without one
   * accepts every handshake and its `open()` receives `undefined`.
   */
  check?(handshake: Handshake): Checked<T>;
}

/**
 * One entry of the route list (`routes/index.ts`), the only registry of
 * endpoints: what the reference page says about the endpoint, and how the
 * server makes its route. The doc's `path` is the pattern the server
 * matches (`:name` captures a segment: `/ws/chat/:room`), so the page and
 * the server cannot disagree on it.
 */
export interface RouteFactory<T = undefined> {
  readonly doc: EndpointDoc;
  /** Makes the route once per server, with the server's context. */
  create(context: RouteContext): Route<T>;
}

/**
 * Matches `pathname` against a route pattern, returning captured segments or
 * `null`. Captured segments are URI-decoded; a malformed escape is no match.
 */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  // A literal pattern matches only itself: no need to split (this runs for every handshake).
  if (!pattern.includes(':')) return pattern === pathname ? {} : null;
  const patternParts = pattern.split('/');
  const pathParts = pathname.split('/');
  if (patternParts.length !== pathParts.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of patternParts.entries()) {
    const actual = pathParts[index] ?? '';
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (part !== actual) {
      return null;
    }
  }
  return params;
}
