import type { Connection } from '../../core/connection.ts';

export interface HeartbeatSettings {
  /** A ping of each kind goes out this often. */
  readonly intervalMs: number;
  /** A ping unanswered this long closes the connection with 4000. */
  readonly timeoutMs: number;
}

/** `live`: pinging and answering; `frozen`: playing a stopped process; `stopped`: the connection is gone. */
export type HeartbeatPeerState = 'live' | 'frozen' | 'stopped';

interface PendingPing {
  /** `performance.now()` when it was sent. */
  readonly sentAt: number;
  timer: ReturnType<typeof setTimeout> | null;
}

function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/**
 * The server's side of one `/ws/heartbeat` connection: every interval an
 * application ping (JSON) and a protocol ping (RFC 6455 §5.5.2), each with
 * its own timeout; the round trips measured are reported to the client.
 * `freeze()` plays a stopped server: the socket stops reading (so even
 * protocol pings go unanswered), nothing is sent and no timer runs.
 * Every timer is cleared by `stop()`, which the route calls on close.
 */
export class HeartbeatPeer {
  readonly #connection: Connection;
  readonly #settings: HeartbeatSettings;
  #state: HeartbeatPeerState = 'live';
  #beatTimer: ReturnType<typeof setInterval> | null = null;
  #freezeTimer: ReturnType<typeof setTimeout> | null = null;
  #nextPingId = 1;
  readonly #applicationPings = new Map<number, PendingPing>();
  #protocolPing: PendingPing | null = null;
  #unknownPongs = 0;

  constructor(connection: Connection, settings: HeartbeatSettings) {
    this.#connection = connection;
    this.#settings = settings;
    connection.socket.on('pong', () => {
      this.#receiveProtocolPong();
    });
  }

  get state(): HeartbeatPeerState {
    return this.#state;
  }

  /** Pongs whose id matched no ping in flight. */
  get unknownPongs(): number {
    return this.#unknownPongs;
  }

  start(): void {
    this.#beatTimer = setInterval(() => {
      this.#beat();
    }, this.#settings.intervalMs);
  }

  /** Answers the client's application ping, echoing its id and clock. */
  answerPing(id: number, sent: number): void {
    if (this.#state === 'live') this.#connection.sendJson({ type: 'pong', id, sent });
  }

  /** Matches the client's pong to a ping in flight and reports the round trip; unknown ids are counted and otherwise ignored. */
  receivePong(id: number): void {
    const ping = this.#applicationPings.get(id);
    if (ping === undefined) {
      this.#unknownPongs += 1;
      return;
    }
    this.#applicationPings.delete(id);
    if (ping.timer !== null) clearTimeout(ping.timer);
    this.#reportRoundTrip('application', performance.now() - ping.sentAt);
  }

  /**
   * Stops reading, answering and sending for `seconds`, then carries on.
   * Pings in flight keep their send times, so their round trips, if the
   * pongs arrive, include the freeze, as they would for a stopped process.
   */
  freeze(seconds: number): void {
    if (this.#state !== 'live') return;
    this.#connection.sendJson({ type: 'frozen', seconds });
    this.#state = 'frozen';
    this.#clearTimers();
    const frozenAt = performance.now();
    // Reading stops at the TCP socket: messages, closes and pings from the client wait in the kernel.
    this.#connection.pauseReading('freeze');
    this.#freezeTimer = setTimeout(() => {
      this.#freezeTimer = null;
      this.#thaw(performance.now() - frozenAt);
    }, seconds * 1000);
  }

  /** Clears every timer; the peer does nothing more. */
  stop(): void {
    this.#state = 'stopped';
    this.#clearTimers();
    if (this.#freezeTimer !== null) clearTimeout(this.#freezeTimer);
    this.#freezeTimer = null;
  }

  #thaw(frozenMs: number): void {
    if (this.#state !== 'frozen') return;
    this.#state = 'live';
    this.#connection.resumeReading('freeze');
    this.#connection.sendJson({ type: 'thawed', frozenMs: Math.round(frozenMs) });
    for (const [id, ping] of this.#applicationPings) ping.timer = this.#armTimeout(`no pong to ping ${String(id)}`);
    if (this.#protocolPing !== null) this.#protocolPing.timer = this.#armTimeout('no pong to the protocol ping');
    this.start();
  }

  #beat(): void {
    if (this.#state !== 'live' || !this.#connection.isOpen) return;
    const id = this.#nextPingId++;
    const sentAt = performance.now();
    this.#applicationPings.set(id, { sentAt, timer: this.#armTimeout(`no pong to ping ${String(id)}`) });
    this.#connection.sendJson({ type: 'ping', id, sent: Math.round((performance.timeOrigin + sentAt) * 1000) / 1000 });
    // One protocol ping in flight at a time: its timeout already covers a peer that stopped answering.
    if (this.#protocolPing === null) {
      this.#protocolPing = { sentAt: performance.now(), timer: this.#armTimeout('no pong to the protocol ping') };
      this.#connection.socket.ping();
    }
  }

  #receiveProtocolPong(): void {
    const ping = this.#protocolPing;
    // RFC 6455 §5.5.3: an unsolicited pong is allowed (a one-way heartbeat) and needs no answer.
    if (ping === null || this.#state !== 'live') return;
    this.#protocolPing = null;
    if (ping.timer !== null) clearTimeout(ping.timer);
    this.#reportRoundTrip('protocol', performance.now() - ping.sentAt);
  }

  #reportRoundTrip(kind: 'application' | 'protocol', rttMs: number): void {
    this.#connection.sendJson({ type: 'rtt', kind, rttMs: roundMs(rttMs), unknownPongs: this.#unknownPongs });
  }

  #armTimeout(what: string): ReturnType<typeof setTimeout> {
    return setTimeout(() => {
      this.stop();
      this.#connection.fail('HEARTBEAT_TIMEOUT', `${what} within ${String(this.#settings.timeoutMs)} ms`);
    }, this.#settings.timeoutMs);
  }

  #clearTimers(): void {
    if (this.#beatTimer !== null) clearInterval(this.#beatTimer);
    this.#beatTimer = null;
    for (const ping of this.#applicationPings.values()) {
      if (ping.timer !== null) clearTimeout(ping.timer);
      ping.timer = null;
    }
    const protocolPing = this.#protocolPing;
    if (protocolPing !== null) {
      if (protocolPing.timer !== null) clearTimeout(protocolPing.timer);
      protocolPing.timer = null;
    }
  }
}
