import type { CloseInfo } from '../../shared/socket-like.ts';
import { computeAccept, isValidSubprotocol, type AcceptComputation } from '../../shared/handshake.ts';
import type { InspectHandshakeMessage, InspectProbe, InspectProbeMessage, InspectServerMessage } from '../../shared/protocol/inspect.ts';
import { endpointUrl } from '../../shared/server-url.ts';
import { SnapshotStore } from '../../shared/snapshot-store.ts';
import type { SocketLike } from '../../shared/socket-like.ts';

/** A socket that also reports what the handshake negotiated, as the browser `WebSocket` does. */
export interface NegotiatingSocket extends SocketLike {
  readonly protocol: string;
  readonly extensions: string;
}

/** Opens a socket to `url` offering `protocols` (`new WebSocket(url, protocols)` in the browser). */
export type SocketFactory = (url: string, protocols: readonly string[]) => NegotiatingSocket;

/**
 * `idle` before the first attempt. When the socket closes without ever
 * opening: `failed` while the lab finds out why, and after when it cannot
 * tell; `unreachable` when the server does not answer at all;
 * `refused-by-browser` when the server answered 101 but chose none of the
 * subprotocols offered, so the browser failed the connection itself.
 */
export type HandshakeLabState = 'idle' | 'connecting' | 'open' | 'closed' | 'failed' | 'unreachable' | 'refused-by-browser';

/** Whether anything answers at the demo server's address (its `/healthz`); injected, so the store does no network of its own. */
export type ReachabilityCheck = () => Promise<boolean>;

/** A handshake that fails, seen from both sides. */
export interface FailedHandshake {
  readonly probe: InspectProbe;
  /** `running` until the browser's attempt (if any) and the server's probe have both finished. */
  readonly state: 'running' | 'done';
  /** Events the page's own `WebSocket` fired, in order; empty when a page cannot make the request (a foreign Origin). */
  readonly browserEvents: readonly string[];
  readonly browserClose: CloseInfo | null;
  /** The raw exchange, as the server saw it when it made the same request to itself. */
  readonly exchange: InspectProbeMessage | null;
}

export interface HandshakeLabSnapshot {
  readonly state: HandshakeLabState;
  /** Subprotocols offered on the latest attempt. */
  readonly offered: readonly string[];
  /** The request and response as the server saw them. */
  readonly handshake: InspectHandshakeMessage | null;
  /** What the browser's socket reports once open (`socket.protocol`, `socket.extensions`). */
  readonly browserProtocol: string | null;
  readonly browserExtensions: string | null;
  /** Accept recomputed here from the request's key. */
  readonly accept: AcceptComputation | null;
  /** The Accept value the server sent. */
  readonly serverAccept: string | null;
  readonly lastClose: CloseInfo | null;
  /**
   * After `refused-by-browser`: the same request made by the server to itself
   * (its `?probe=`), since a page whose connection failed is never sent the
   * handshake report.
   */
  readonly probedExchange: InspectProbeMessage | null;
  readonly failure: FailedHandshake | null;
  /** Why the last request was not made (an invalid subprotocol name), or the likely reason it failed. */
  readonly problem: string | null;
}

export interface HandshakeLabOptions {
  /** The demo server's `ws://host:port`. */
  readonly server: string;
  /** Subprotocols `/ws/inspect` speaks, to explain a failure when none of them was offered. */
  readonly serverProtocols: readonly string[];
  /** A subprotocol it does not speak, for the `unknown-subprotocol` attempt. */
  readonly unknownProtocol: string;
}

/** A path no endpoint serves, for the "wrong path" refusal. */
export const WRONG_PATH = '/ws/no-such-endpoint';

/** Value of the first header called `name` (any case), or `null`. */
export function headerValue(headers: readonly (readonly [string, string])[], name: string): string | null {
  const lower = name.toLowerCase();
  return headers.find(([header]) => header.toLowerCase() === lower)?.[1] ?? null;
}

/** Value of a `Name: value` response line called `name` (any case), or `null`. */
export function responseHeaderValue(lines: readonly string[], name: string): string | null {
  const prefix = `${name.toLowerCase()}:`;
  const line = lines.find((candidate) => candidate.toLowerCase().startsWith(prefix));
  return line === undefined ? null : line.slice(prefix.length).trim();
}

const INITIAL: HandshakeLabSnapshot = {
  state: 'idle',
  offered: [],
  handshake: null,
  browserProtocol: null,
  browserExtensions: null,
  accept: null,
  serverAccept: null,
  lastClose: null,
  probedExchange: null,
  failure: null,
  problem: null,
};

/**
 * State of the handshake lab, with no DOM: one connection to `/ws/inspect`
 * offering the reader's chosen subprotocols, the handshake the server
 * reports, the Accept value recomputed from the key, and refused
 * handshakes seen both as the page sees them and as they were on the wire.
 */
export class HandshakeLabStore extends SnapshotStore<HandshakeLabSnapshot> {
  readonly #options: HandshakeLabOptions;
  readonly #open: SocketFactory;
  readonly #reachable: ReachabilityCheck;
  #socket: NegotiatingSocket | null = null;
  /** Counts attempts, so late events from a replaced socket are ignored. */
  #attempt = 0;
  #failureAttempt = 0;

  constructor(options: HandshakeLabOptions, open: SocketFactory, reachable: ReachabilityCheck) {
    super(INITIAL);
    this.#options = options;
    this.#open = open;
    this.#reachable = reachable;
  }

  /** Closes the current connection (if any) and opens a new one offering `protocols`. */
  connect(protocols: readonly string[]): void {
    const invalid = protocols.find((protocol) => !isValidSubprotocol(protocol));
    if (invalid !== undefined) {
      this.update({ problem: `"${invalid}" is not a valid subprotocol name: use letters, digits and . - _ without spaces or commas.` });
      return;
    }
    this.#socket?.close(1000, 'reconnecting');
    const attempt = ++this.#attempt;
    const socket = this.#open(endpointUrl(this.#options.server, '/ws/inspect'), protocols);
    this.#socket = socket;
    let opened = false;
    const current = () => attempt === this.#attempt;
    this.update({ ...INITIAL, failure: this.snapshot.failure, state: 'connecting', offered: [...protocols] });
    socket.addEventListener('open', () => {
      if (!current()) return;
      opened = true;
      this.update({ state: 'open', browserProtocol: socket.protocol, browserExtensions: socket.extensions });
    });
    socket.addEventListener('message', (event) => {
      if (!current() || typeof event.data !== 'string') return;
      const message = JSON.parse(event.data) as InspectServerMessage;
      if (message.type === 'handshake') void this.#showHandshake(message, attempt);
    });
    socket.addEventListener('close', (event) => {
      if (!current()) return;
      const lastClose = { code: event.code, reason: event.reason, wasClean: event.wasClean };
      if (opened) {
        this.update({ state: 'closed', lastClose });
        return;
      }
      this.update({ state: 'failed', lastClose });
      void this.#diagnose(protocols, current);
    });
  }

  /**
   * Finds out why a connection failed before it opened, which the browser
   * does not tell a page: nothing answers (`unreachable`), or the server
   * answered 101 choosing no subprotocol and the browser failed it; then the
   * server's probe shows that exchange.
   */
  async #diagnose(protocols: readonly string[], current: () => boolean): Promise<void> {
    const reachable = await this.#reachable().catch(() => false);
    if (!current()) return;
    if (!reachable) {
      this.update({ state: 'unreachable' });
      return;
    }
    const explanation = this.#explainFailure(protocols);
    if (explanation === null) {
      this.update({ state: 'failed', problem: 'The server is up, but this handshake failed, and a browser does not tell a page why (DevTools shows it).' });
      return;
    }
    this.update({ state: 'refused-by-browser', problem: explanation });
    if (protocols.length !== 1 || protocols[0] !== this.#options.unknownProtocol) return;
    // The probe offers exactly this one unknown subprotocol, from this page's Origin: the same request.
    this.#runProbe('unknown-subprotocol', (exchange) => {
      if (current()) this.update({ state: 'refused-by-browser', problem: explanation, probedExchange: exchange });
    });
  }

  /**
   * A page is never told why a handshake failed. When none of the offered
   * subprotocols is one the server speaks, the server answers 101 with none
   * chosen (RFC 6455 §4.2.2), and browsers fail such a connection.
   */
  #explainFailure(offered: readonly string[]): string | null {
    if (offered.length === 0 || offered.some((protocol) => this.#options.serverProtocols.includes(protocol))) return null;
    return `The server speaks none of ${offered.join(', ')}, so it answered 101 without choosing a subprotocol, and your browser failed the connection (it offered some, so it insists on one). Offer one it speaks and press "Connect again".`;
  }

  /** Closes the lab's connection. */
  disconnect(): void {
    this.#attempt += 1;
    this.#failureAttempt += 1;
    this.#socket?.close(1000, 'lab closed');
    this.#socket = null;
  }

  /**
   * Shows a failing handshake: the page's own attempt (except for a foreign
   * Origin, which a page cannot send) and the raw exchange from the server's
   * probe, which makes the same request to itself.
   */
  tryFailure(probe: InspectProbe): void {
    const attempt = ++this.#failureAttempt;
    const current = () => attempt === this.#failureAttempt;
    let browserDone = probe === 'foreign-origin';
    let probeDone = false;
    this.update({ failure: { probe, state: 'running', browserEvents: [], browserClose: null, exchange: null } });
    const change = (update: Partial<FailedHandshake>) => {
      const failure = this.snapshot.failure;
      if (!current() || failure === null) return;
      const next = { ...failure, ...update };
      this.update({ failure: { ...next, state: browserDone && probeDone ? 'done' : 'running' } });
    };
    if (probe !== 'foreign-origin') {
      const browser =
        probe === 'wrong-path'
          ? this.#open(endpointUrl(this.#options.server, WRONG_PATH), [])
          : this.#open(endpointUrl(this.#options.server, '/ws/inspect'), [this.#options.unknownProtocol]);
      const events: string[] = [];
      browser.addEventListener('open', () => {
        events.push('open');
        change({ browserEvents: [...events] });
        browser.close(1000, 'done');
      });
      browser.addEventListener('error', () => {
        events.push('error');
        change({ browserEvents: [...events] });
      });
      browser.addEventListener('close', (event) => {
        events.push('close');
        browserDone = true;
        change({ browserEvents: [...events], browserClose: { code: event.code, reason: event.reason, wasClean: event.wasClean } });
      });
    }
    this.#runProbe(probe, (exchange) => {
      probeDone = true;
      change(exchange === null ? {} : { exchange });
    });
  }

  /** Asks `/ws/inspect` to make the failing request `probe` to itself; `done` gets its exchange, or `null` if none came. */
  #runProbe(probe: InspectProbe, done: (exchange: InspectProbeMessage | null) => void): void {
    let reported = false;
    const prober = this.#open(`${endpointUrl(this.#options.server, '/ws/inspect')}?probe=${probe}`, []);
    prober.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      const message = JSON.parse(event.data) as InspectServerMessage;
      if (message.type !== 'probe' || reported) return;
      reported = true;
      done(message);
    });
    prober.addEventListener('close', () => {
      if (reported) return;
      reported = true;
      done(null);
    });
  }

  async #showHandshake(handshake: InspectHandshakeMessage, attempt: number): Promise<void> {
    const key = headerValue(handshake.requestHeaders, 'Sec-WebSocket-Key');
    const accept = key === null ? null : await computeAccept(key);
    if (attempt !== this.#attempt) return;
    this.update({ handshake, accept, serverAccept: responseHeaderValue(handshake.responseLines, 'Sec-WebSocket-Accept') });
  }

  /** Every change clears the last problem unless it reports one. */
  protected override update(change: Partial<HandshakeLabSnapshot>): void {
    super.update({ problem: null, ...change });
  }
}
