/**
 * The one intake for client messages: every endpoint that reads messages
 * declares its limits as a `MessageLimits` value and goes through
 * `onJsonMessages()` (JSON protocols), `onLimitedMessages()` (raw frames,
 * e.g. `/ws/inspect`) or `refuseEveryMessage()` (send-only sockets), so the
 * rate limit, the invalid-message budget and their close reasons are coded
 * once.
 */
import type * as v from 'valibot';
import { parseClientMessage } from '../../src/shared/protocol/parse.ts';
import { socketError, type ErrorMessage } from '../../src/shared/protocol/errors.ts';
import type { Connection } from './connection.ts';
import { TokenBucket } from '../../src/shared/token-bucket.ts';

/** How many invalid messages an endpoint forgives, and what it says when it stops forgiving. */
export interface InvalidMessageLimits {
  /** Invalid messages forgiven each second, on average. */
  readonly invalidPerSecond: number;
  /** Invalid messages forgiven in a row before the client is closed with 1008 TOO_MANY_ERRORS. */
  readonly invalidBurst: number;
  /**
   * The detail of that close reason, given the last invalid message's error
   * (`over 5 invalid messages in a burst`); absent for none.
   */
  readonly tooManyErrorsDetail?: (lastError: ErrorMessage) => string;
}

/** An endpoint's limits on client messages, declared once per endpoint. */
export interface MessageLimits extends InvalidMessageLimits {
  /** Messages a client may send each second, on average, valid or not. */
  readonly messagesPerSecond: number;
  /** Messages it may send at once. */
  readonly messageBurst: number;
  /** The detail of the 1008 RATE_LIMITED close reason, e.g. `more than 20 a second`. */
  readonly rateLimitedDetail: string;
  /**
   * When set, a message over the rate is dropped with a RATE_WARNING error
   * carrying this detail, and the connection closes only once more than
   * `droppedBeforeClose` are dropped in a row after it (chat lets a fast
   * typist off with a warning).
   */
  readonly rateWarningDetail?: string;
  /** Messages over the rate dropped in a row before the close (default 0: the first closes). */
  readonly droppedBeforeClose?: number;
  /** The detail of BINARY_NOT_ACCEPTED, e.g. `send JSON as text`; absent for none. */
  readonly binaryDetail?: string;
}

const DEFAULT_MESSAGES_PER_SECOND = 20;

/** `/ws/heartbeat` and `/ws/realtime`: 20 messages a second in bursts of 40, one invalid message a second in bursts of 10. */
export const JSON_MESSAGE_DEFAULTS: MessageLimits = {
  messagesPerSecond: DEFAULT_MESSAGES_PER_SECOND,
  messageBurst: 40,
  rateLimitedDetail: `more than ${String(DEFAULT_MESSAGES_PER_SECOND)} a second`,
  invalidPerSecond: 1,
  invalidBurst: 10,
  tooManyErrorsDetail: (lastError) => `the last one: ${lastError.message}`,
};

/**
 * Limits whose close reasons name the bursts they count (`over 30 messages
 * in a burst`, `over 5 invalid messages in a burst`), worded from the
 * numbers so the two cannot drift apart.
 */
export function burstWordedLimits(limits: Omit<MessageLimits, 'rateLimitedDetail' | 'tooManyErrorsDetail'>): MessageLimits {
  return {
    ...limits,
    rateLimitedDetail: `over ${String(limits.messageBurst)} messages in a burst`,
    tooManyErrorsDetail: () => `over ${String(limits.invalidBurst)} invalid messages in a burst`,
  };
}

/** Answers one invalid message with its error, or closes with 1008 once the budget is spent. */
export type Reject = (error: ErrorMessage) => void;

/** Where an endpoint changes the pipeline: each is optional. */
export interface MessageHooks {
  /** Sees every message's size first, before any limit (`/ws/backpressure` throttles its reading by it). */
  readonly received?: (bytes: number) => void;
  /**
   * Runs the rest of a message's handling, after the rate limit: later, for
   * `/ws/ticker`'s simulated latency. Default: at once.
   */
  readonly defer?: (step: () => void) => void;
  /** Sends an error reply; default `connection.sendJson()`. */
  readonly sendError?: (error: ErrorMessage) => void;
}

/** Makes the `Reject` of one connection: its invalid-message budget. */
export function invalidMessageBudget(connection: Connection, limits: InvalidMessageLimits, sendError: (error: ErrorMessage) => void = (error) => connection.sendJson(error)): Reject {
  const invalid = new TokenBucket(limits.invalidPerSecond, limits.invalidBurst);
  return (error) => {
    if (invalid.take()) sendError(error);
    else connection.fail('TOO_MANY_ERRORS', limits.tooManyErrorsDetail?.(error));
  };
}

/**
 * Delivers a connection's messages to `handle` once they pass the rate
 * limit: more than `messagesPerSecond` closes with 1008 RATE_LIMITED (after
 * a RATE_WARNING when the limits ask for one). Every message counts, valid
 * or not: a flood of garbage is still a flood. `handle` gets a `Reject` for
 * the messages it finds invalid.
 */
export function onLimitedMessages(
  connection: Connection,
  limits: MessageLimits,
  handle: (data: Buffer, isBinary: boolean, reject: Reject) => void,
  hooks: MessageHooks = {},
): void {
  const rate = new TokenBucket(limits.messagesPerSecond, limits.messageBurst);
  const reject = invalidMessageBudget(connection, limits, hooks.sendError);
  const droppedBeforeClose = limits.droppedBeforeClose ?? 0;
  /** Messages dropped for rate since the last one accepted. */
  let droppedInARow = 0;
  connection.onMessage((data: Buffer, isBinary: boolean) => {
    hooks.received?.(data.byteLength);
    if (!connection.isOpen) return;
    if (!rate.take()) {
      droppedInARow += 1;
      if (droppedInARow === 1 && limits.rateWarningDetail !== undefined) connection.fail('RATE_WARNING', limits.rateWarningDetail);
      else if (droppedInARow > droppedBeforeClose) connection.fail('RATE_LIMITED', limits.rateLimitedDetail);
      return;
    }
    droppedInARow = 0;
    if (hooks.defer === undefined) {
      handle(data, isBinary, reject);
      return;
    }
    hooks.defer(() => {
      if (connection.isOpen) handle(data, isBinary, reject);
    });
  });
}

/** A JSON protocol: the schema client messages must match, and their `type`s. */
export interface JsonProtocol<TSchema extends v.GenericSchema> {
  readonly schema: TSchema;
  readonly knownTypes: readonly string[];
  /** Rewrites a parse error with what the raw text shows (chat names a spoofed `from`). */
  readonly explain?: (error: ErrorMessage, raw: string) => ErrorMessage;
}

/**
 * Delivers a connection's text messages to `handle` as validated protocol
 * messages, within `limits` (see `onLimitedMessages()`). Invalid ones
 * (binary, not JSON, unknown type, a field out of range) get an error
 * message naming the problem and the connection stays up, until they come
 * faster than `invalidPerSecond` allows (1008 TOO_MANY_ERRORS). `handle`
 * gets the same `Reject` for what the schema cannot see (an unknown symbol).
 */
export function onJsonMessages<TSchema extends v.GenericSchema>(
  connection: Connection,
  protocol: JsonProtocol<TSchema>,
  limits: MessageLimits,
  handle: (message: v.InferOutput<TSchema>, reject: Reject) => void,
  hooks: MessageHooks = {},
): void {
  onLimitedMessages(
    connection,
    limits,
    (data, isBinary, reject) => {
      if (isBinary) {
        reject(socketError('BINARY_NOT_ACCEPTED', limits.binaryDetail));
        return;
      }
      const raw = data.toString();
      const parsed = parseClientMessage(protocol.schema, protocol.knownTypes, raw);
      if (parsed.ok) handle(parsed.value, reject);
      else reject(protocol.explain?.(parsed.error, raw) ?? parsed.error);
    },
    hooks,
  );
}

/**
 * For a socket that only sends (`/ws/close/observe`, `/ws/backpressure/stats`):
 * every message is answered with `error`, within the invalid-message budget.
 */
export function refuseEveryMessage(connection: Connection, error: ErrorMessage, limits: InvalidMessageLimits): void {
  const reject = invalidMessageBudget(connection, limits);
  connection.onMessage(() => {
    reject(error);
  });
}
