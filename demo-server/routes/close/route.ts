import { randomUUID } from 'node:crypto';
import {
  CLOSE_CLIENT_TYPES,
  CLOSE_MESSAGE_BURST,
  CLOSE_MESSAGES_PER_SECOND,
  checkClosePlan,
  closeClientMessage,
  closeEndpoint,
  closeObserverEndpoint,
  closePlanFromQuery,
  INVALID_MESSAGE_BURST,
  INVALID_MESSAGES_PER_SECOND,
  RUN_ID_PATTERN,
  type CloseAction,
  type CloseClientMessage,
  type ClosePlan,
  type CloseReport,
} from '../../../src/shared/protocol/close.ts';
import { socketError } from '../../../src/shared/protocol/errors.ts';
import { BROKEN_FRAMES, hexBytes, serverCloseFrame, writeBrokenFrame } from './broken-frames.ts';
import type { Connection } from '../../core/connection.ts';
import { onJsonMessages, refuseEveryMessage, type MessageLimits, type Reject } from '../../core/json-messages.ts';
import { accept, refuse, type Route, type RouteContext, type RouteFactory } from '../../core/route.ts';

/**
 * Observers by id, one table per server: `/ws/close` looks ids up at the
 * handshake and `/ws/close/observe` adds them. Keyed by the server's
 * context so that servers in one process (tests) do not share observers.
 */
/**
 * Every query parameter `/ws/close` reads, as its reference documents them;
 * others are refused, so a typo (`after=500`) is not silently ignored.
 */
const CLOSE_QUERY_PARAMETERS: readonly string[] = closeEndpoint.query.map((parameter) => parameter.name);

/** `/ws/close` takes a close request and pings; `/ws/close/observe` takes nothing, within the same invalid-message budget. */
const CLOSE_MESSAGE_LIMITS: MessageLimits = {
  messagesPerSecond: CLOSE_MESSAGES_PER_SECOND,
  messageBurst: CLOSE_MESSAGE_BURST,
  rateLimitedDetail: `more than ${String(CLOSE_MESSAGES_PER_SECOND)} per second`,
  invalidPerSecond: INVALID_MESSAGES_PER_SECOND,
  invalidBurst: INVALID_MESSAGE_BURST,
};

const observerTables = new WeakMap<RouteContext, Map<string, Connection>>();

function observersOf(context: RouteContext): Map<string, Connection> {
  let table = observerTables.get(context);
  if (table === undefined) {
    table = new Map();
    observerTables.set(context, table);
  }
  return table;
}

interface SessionOptions {
  readonly observer: Connection | null;
  readonly run: string;
  readonly closeTimeoutMs: number;
  readonly timers: Set<ReturnType<typeof setTimeout>>;
}

/**
 * One `/ws/close` connection: performs the requested ending once, enforces
 * the message limits, and when the TCP connection has closed sends what the
 * server saw to the observer, if there is one.
 */
class CloseSession {
  readonly #connection: Connection;
  readonly #options: SessionOptions;
  readonly #openedAt = performance.now();
  #action: CloseAction = 'wait';
  #actedAt: number | null = null;
  /** Set when the server wrote a broken frame, which ws does not know about. */
  #brokenFrameSent: { description: string; bytes: string } | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(connection: Connection, options: SessionOptions) {
    this.#connection = connection;
    this.#options = options;
    onJsonMessages(connection, { schema: closeClientMessage, knownTypes: CLOSE_CLIENT_TYPES }, CLOSE_MESSAGE_LIMITS, (message, reject) => {
      this.#receive(message, reject);
    });
    connection.socket.on('close', (code: number, reason: Buffer) => {
      this.#clearTimer();
      this.#report(code, reason.toString());
    });
  }

  /** Accepts a plan (from the query string or a message) and acts on it now or after `afterMs`. */
  schedule(plan: ClosePlan): void {
    if (plan.action === 'wait') return;
    this.#action = plan.action;
    this.#connection.sendJson({
      type: 'scheduled',
      action: plan.action,
      ...(plan.code === undefined ? {} : { code: plan.code, reason: plan.reason ?? '' }),
      afterMs: plan.afterMs,
    });
    if (plan.afterMs === 0) {
      this.#perform(plan);
      return;
    }
    this.#setTimer(() => {
      this.#perform(plan);
    }, plan.afterMs);
  }

  #perform(plan: ClosePlan): void {
    const connection = this.#connection;
    if (connection.state !== 'open') return;
    this.#actedAt = performance.now();
    switch (plan.action) {
      case 'close':
        connection.close(plan.code ?? 1000, plan.reason ?? '');
        break;
      case 'no-status':
        connection.closeWithoutStatus();
        break;
      case 'drop':
        connection.terminate('dropped the TCP connection without a close frame, as asked');
        break;
      case 'invalid-utf8':
      case 'masked-frame':
      case 'reserved-opcode': {
        const frame = BROKEN_FRAMES[plan.action];
        writeBrokenFrame(connection.socket, frame);
        connection.messagesOut += 1;
        connection.bytesOut += frame.bytes.byteLength;
        connection.lastError = `sent ${frame.description}, as asked`;
        this.#brokenFrameSent = { description: frame.description, bytes: hexBytes(frame.bytes) };
        // RFC 6455 §7.1.7: the client must now fail the connection. One that
        // does not is cut off, as an unanswered close would be.
        this.#setTimer(() => {
          connection.terminate(`the client did not fail the connection within ${String(this.#options.closeTimeoutMs)} ms`);
        }, this.#options.closeTimeoutMs);
        break;
      }
      case 'wait':
        break;
    }
  }

  #receive(message: CloseClientMessage, reject: Reject): void {
    if (message.type === 'ping') {
      this.#connection.sendJson({ type: 'pong' });
      return;
    }
    if (this.#action !== 'wait') {
      reject(socketError('CLOSE_ALREADY_REQUESTED', `action ${this.#action}`));
      return;
    }
    const result = checkClosePlan({
      action: message.action,
      ...(message.code === undefined ? {} : { code: message.code }),
      ...(message.reason === undefined ? {} : { reason: message.reason }),
      ...(message.afterMs === undefined ? {} : { afterMs: message.afterMs }),
    });
    if (!result.ok) {
      reject(socketError('INVALID_CLOSE_REQUEST', result.message));
      return;
    }
    this.schedule(result.plan);
  }

  #setTimer(action: () => void, delayMs: number): void {
    this.#clearTimer();
    const timer = setTimeout(() => {
      this.#options.timers.delete(timer);
      this.#timer = null;
      action();
    }, delayMs);
    this.#timer = timer;
    this.#options.timers.add(timer);
  }

  #clearTimer(): void {
    if (this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#options.timers.delete(this.#timer);
    this.#timer = null;
  }

  /** What the server put on the wire to end the connection. */
  #serverSent(receivedCode: number, receivedReason: string): CloseReport['serverSent'] {
    const connection = this.#connection;
    if (this.#brokenFrameSent !== null) return this.#brokenFrameSent;
    if (connection.sentClose !== null) {
      const { code, reason } = connection.sentClose;
      const description = code === 1005 ? 'a close frame with no status code' : `a close frame with code ${String(code)}${reason === '' ? '' : ` and reason "${reason}"`}`;
      return { description, bytes: hexBytes(serverCloseFrame(code, reason)) };
    }
    if (connection.closedBy === 'server') return { description: 'no close frame: it destroyed the TCP connection', bytes: null };
    if (receivedCode === 1006) return { description: 'nothing: the TCP connection closed without a close frame', bytes: null };
    // RFC 6455 §5.5.1: the answer to a close frame echoes its status code (ws echoes the reason too).
    const echo = receivedCode === 1005 ? "a close frame with no status code, answering the client's" : `a close frame with code ${String(receivedCode)}, answering the client's`;
    return { description: echo, bytes: hexBytes(serverCloseFrame(receivedCode, receivedReason)) };
  }

  #report(receivedCode: number, receivedReason: string): void {
    const { observer, run } = this.#options;
    if (observer === null || !observer.isOpen) return;
    const connection = this.#connection;
    const report: CloseReport = {
      run,
      action: this.#action,
      serverSent: this.#serverSent(receivedCode, receivedReason),
      // ws reports 1006 when no close frame arrived, and 1005 for one with no code.
      clientSent: receivedCode === 1006 ? null : { code: receivedCode, reason: receivedReason },
      closedBy: connection.closedBy ?? 'network',
      error: connection.lastError,
      durationMs: Math.round((performance.now() - (this.#actedAt ?? this.#openedAt)) * 100) / 100,
      logLine: connection.describeClose(receivedCode, receivedReason),
    };
    observer.sendJson({ type: 'report', run, report });
  }
}

/**
 * `/ws/close`: ends the connection the way the client asks (query string or
 * a `close-request` message): any valid close code, no status, a dropped
 * TCP connection, or a frame that breaks the protocol. Invalid requests are
 * refused with HTTP 400 at the handshake, or an error message after it;
 * nothing invalid reaches `ws.close()`.
 */
/** What a `/ws/close` handshake asked for. */
interface CloseRequest {
  readonly plan: ClosePlan;
  /** `?observer=`: the id of the observer to report to. */
  readonly observerId: string | null;
  /** `?run=`: the label of the report. */
  readonly run: string | null;
}

export const closeRoute: RouteFactory<CloseRequest> = { doc: closeEndpoint, create: createCloseRoute };

function createCloseRoute(context: RouteContext): Route<CloseRequest> {
  const observers = observersOf(context);
  const timers = new Set<ReturnType<typeof setTimeout>>();
  return {
    check({ url }) {
      const unknown = [...url.searchParams.keys()].find((name) => !CLOSE_QUERY_PARAMETERS.includes(name));
      if (unknown !== undefined) {
        return refuse(`unknown query parameter ${JSON.stringify(unknown.slice(0, 40))}; /ws/close takes ${CLOSE_QUERY_PARAMETERS.join(', ')}`);
      }
      const result = closePlanFromQuery(url.searchParams);
      if (!result.ok) return refuse(result.message);
      const observerId = url.searchParams.get('observer');
      const run = url.searchParams.get('run');
      if (run !== null && observerId === null) {
        return refuse('run needs observer: open /ws/close/observe first and pass the observerId it sends');
      }
      if (observerId !== null && !observers.has(observerId)) {
        return refuse(`no observer ${JSON.stringify(observerId.slice(0, 64))} is connected: open /ws/close/observe and pass the observerId it sends`);
      }
      if (run !== null && !RUN_ID_PATTERN.test(run)) {
        return refuse(`run must be 1 to 64 of A–Z a–z 0–9 _ . -, got ${JSON.stringify(run.slice(0, 64))}`);
      }
      return accept({ plan: result.plan, observerId, run });
    },
    open(connection, _handshake, { plan, observerId, run }) {
      const session = new CloseSession(connection, {
        // Looked up again: the observer may have gone between the check and the upgrade.
        observer: observerId === null ? null : (observers.get(observerId) ?? null),
        run: run ?? String(connection.id),
        closeTimeoutMs: context.options.closeTimeoutMs,
        timers,
      });
      session.schedule(plan);
    },
    dispose() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/**
 * `/ws/close/observe`: a second socket that survives the one being closed.
 * It gets an id on open; each `/ws/close?observer=<id>` connection reports
 * what the server saw to it when it ends. Nothing is stored: a report for an
 * observer that has gone is dropped.
 */
export const closeObserverRoute: RouteFactory = { doc: closeObserverEndpoint, create: createCloseObserverRoute };

function createCloseObserverRoute(context: RouteContext): Route {
  const observers = observersOf(context);
  return {
    open(connection) {
      const observerId = randomUUID();
      observers.set(observerId, connection);
      connection.socket.on('close', () => {
        observers.delete(observerId);
      });
      connection.sendJson({
        type: 'observer',
        observerId,
        maxMessageBytes: context.options.maxMessageBytes,
        messagesPerSecond: CLOSE_MESSAGES_PER_SECOND,
        messageBurst: CLOSE_MESSAGE_BURST,
      });
      refuseEveryMessage(connection, socketError('INVALID_MESSAGE', '/ws/close/observe takes no messages; it only sends reports'), CLOSE_MESSAGE_LIMITS);
    },
  };
}
