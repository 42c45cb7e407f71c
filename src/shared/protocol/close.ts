import * as v from 'valibot';
import { closeRequestProblem, MAX_CLOSE_REASON_BYTES } from '../close-policy.ts';
import type { EndpointDoc } from './endpoint-doc.ts';

/**
 * `/ws/close` ends the connection the way the client asks, and
 * `/ws/close/observe` reports what the server saw of each such ending on a
 * second socket, which survives the one that was closed.
 */

/**
 * How the server ends the connection:
 * - `close`: a close frame with `code` and `reason`;
 * - `no-status`: a close frame with an empty body (the client reports 1005);
 * - `drop`: the TCP connection is destroyed with no close frame (1006);
 * - `invalid-utf8`, `masked-frame`, `reserved-opcode`: the server breaks the
 *   protocol, and the client must fail the connection (RFC 6455 §7.1.7);
 * - `wait`: the server does nothing and reports how the client closed.
 */
export const CLOSE_ACTIONS = ['close', 'no-status', 'drop', 'invalid-utf8', 'masked-frame', 'reserved-opcode', 'wait'] as const;
export type CloseAction = (typeof CLOSE_ACTIONS)[number];

/** Longest delay a client may ask for before the server acts. */
export const MAX_CLOSE_DELAY_MS = 10_000;
/** Message rate a `/ws/close` client may keep up; more closes with 1008. */
export const CLOSE_MESSAGES_PER_SECOND = 10;
/** Messages a client may send at once before the rate applies. */
export const CLOSE_MESSAGE_BURST = 20;
/** Invalid messages a client may send in a row before the rate applies. */
export const INVALID_MESSAGE_BURST = 5;
/** Invalid messages per second a client may keep up; more closes with 1008. */
export const INVALID_MESSAGES_PER_SECOND = 1;
/** `run` labels: short, URL-safe. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** A validated request: what the server will do, and after how long. */
export interface ClosePlan {
  readonly action: CloseAction;
  /** For `close` only. */
  readonly code?: number;
  readonly reason?: string;
  readonly afterMs: number;
}

export type ClosePlanResult = { readonly ok: true; readonly plan: ClosePlan } | { readonly ok: false; readonly message: string };

/**
 * Checks a close request from either channel (query string or message) and
 * says exactly what is wrong. The code and reason go through the same check
 * as every close the server makes, so nothing invalid reaches `ws.close()`.
 */
export function checkClosePlan(request: { action?: string; code?: number; reason?: string; afterMs?: number }): ClosePlanResult {
  const action = request.action ?? (request.code === undefined ? 'wait' : 'close');
  if (!(CLOSE_ACTIONS as readonly string[]).includes(action)) {
    return { ok: false, message: `action must be one of ${CLOSE_ACTIONS.join(', ')}; got ${JSON.stringify(action.slice(0, 40))}` };
  }
  const typedAction = action as CloseAction;
  if (typedAction !== 'close' && (request.code !== undefined || request.reason !== undefined)) {
    return { ok: false, message: `code and reason apply only to action close, not ${typedAction}` };
  }
  const afterMs = request.afterMs ?? 0;
  if (!Number.isInteger(afterMs) || afterMs < 0 || afterMs > MAX_CLOSE_DELAY_MS) {
    return { ok: false, message: `afterMs must be an integer from 0 to ${String(MAX_CLOSE_DELAY_MS)} (milliseconds), got ${String(afterMs)}` };
  }
  if (typedAction === 'wait') {
    return afterMs === 0 ? { ok: true, plan: { action: 'wait', afterMs: 0 } } : { ok: false, message: 'afterMs applies only to actions the server performs, not wait' };
  }
  if (typedAction !== 'close') return { ok: true, plan: { action: typedAction, afterMs } };
  const code = request.code ?? 1000;
  const reason = request.reason ?? '';
  const problem = closeRequestProblem(code, reason);
  if (problem !== null) return { ok: false, message: problem };
  return { ok: true, plan: { action: 'close', code, reason, afterMs } };
}

/**
 * Reads a plan from the query string of `/ws/close`: `action`, `code`,
 * `reason`, `afterMs`. Numbers must be plain decimal integers.
 */
export function closePlanFromQuery(search: URLSearchParams): ClosePlanResult {
  const integer = (name: string): number | string | undefined => {
    const raw = search.get(name);
    if (raw === null) return undefined;
    return /^-?\d{1,9}$/.test(raw) ? Number(raw) : raw;
  };
  const code = integer('code');
  if (typeof code === 'string') return { ok: false, message: `code must be a whole number, got ${JSON.stringify(code.slice(0, 40))}` };
  const afterMs = integer('afterMs');
  if (typeof afterMs === 'string') {
    return { ok: false, message: `afterMs must be an integer from 0 to ${String(MAX_CLOSE_DELAY_MS)} (milliseconds), got ${JSON.stringify(afterMs.slice(0, 40))}` };
  }
  const action = search.get('action');
  const reason = search.get('reason');
  return checkClosePlan({
    ...(action === null ? {} : { action }),
    ...(code === undefined ? {} : { code }),
    ...(reason === null ? {} : { reason }),
    ...(afterMs === undefined ? {} : { afterMs }),
  });
}

const closeRequestMessage = v.object({
  type: v.literal('close-request'),
  action: v.picklist(CLOSE_ACTIONS.filter((action) => action !== 'wait')),
  code: v.optional(v.pipe(v.number(), v.integer())),
  reason: v.optional(v.string()),
  afterMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_CLOSE_DELAY_MS))),
});

/** Every message a client may send to `/ws/close`. */
export const closeClientMessage = v.variant('type', [closeRequestMessage, v.object({ type: v.literal('ping') })]);
export type CloseClientMessage = v.InferOutput<typeof closeClientMessage>;
export const CLOSE_CLIENT_TYPES = ['close-request', 'ping'] as const;

const closeCodeAndReason = v.object({ code: v.number(), reason: v.string() });

/** What the server saw of one connection to `/ws/close`, sent to its observer. */
const closeReport = v.object({
  /** The run label the client chose. */
  run: v.string(),
  action: v.picklist(CLOSE_ACTIONS),
  /** What the server put on the wire to end the connection, in words and as hex bytes (`null` when it sent nothing). */
  serverSent: v.object({ description: v.string(), bytes: v.nullable(v.string()) }),
  /** The close frame the client sent (1005 for one with no code), or `null` when none arrived. */
  clientSent: v.nullable(closeCodeAndReason),
  /** Who sent the first close frame; `network` when the TCP connection ended without one. */
  closedBy: v.picklist(['server', 'client', 'network']),
  /** What went wrong on the server's side, e.g. `Max payload size exceeded`. */
  error: v.nullable(v.string()),
  /** From the server acting (for `wait`, from the connection opening) to the TCP connection closing, in milliseconds. */
  durationMs: v.number(),
  /** How the server log describes the close. */
  logLine: v.string(),
});
export type CloseReport = v.InferOutput<typeof closeReport>;

/** Every message `/ws/close` sends. */
export const closeServerMessage = v.variant('type', [
  v.object({
    type: v.literal('scheduled'),
    action: v.picklist(CLOSE_ACTIONS),
    code: v.optional(v.number()),
    reason: v.optional(v.string()),
    afterMs: v.number(),
  }),
  v.object({ type: v.literal('pong') }),
  v.object({ type: v.literal('error'), error: v.string(), message: v.string(), closeCode: v.optional(v.number()) }),
]);
export type CloseServerMessage = v.InferOutput<typeof closeServerMessage>;

/** Every message `/ws/close/observe` sends. */
export const closeObserverMessage = v.variant('type', [
  v.object({
    type: v.literal('observer'),
    observerId: v.string(),
    /** The server's message size limit: one byte more closes with 1009. */
    maxMessageBytes: v.number(),
    messagesPerSecond: v.number(),
    messageBurst: v.number(),
  }),
  v.object({ type: v.literal('report'), run: v.string(), report: closeReport }),
  v.object({ type: v.literal('error'), error: v.string(), message: v.string(), closeCode: v.optional(v.number()) }),
]);
export type CloseObserverMessage = v.InferOutput<typeof closeObserverMessage>;

export const closeEndpoint: EndpointDoc = {
  path: '/ws/close',
  chapter: 'closing',
  summary:
    'Ends the connection the way the client asks: a close frame with any valid code and reason, one with no status, a dropped TCP connection, or a frame that breaks the protocol. With observer and run, what the server saw goes to /ws/close/observe.',
  query: [
    {
      name: 'action',
      description:
        'How to end the connection: close (a close frame), no-status (a close frame with no code: the client reports 1005), drop (no close frame: 1006), invalid-utf8 (a text frame that is not UTF-8), masked-frame (a masked server frame), reserved-opcode (a frame with opcode 3), wait (do nothing; report how the client closes).',
      default: 'close when code is given, else wait',
      allowed: CLOSE_ACTIONS.join(' | '),
    },
    {
      name: 'code',
      description: 'Close code, for action close. Codes that never go on the wire are refused with HTTP 400.',
      default: '1000',
      allowed: '1000–1003, 1007–1014, 3000–4999',
    },
    { name: 'reason', description: 'Close reason, for action close.', default: '(empty)', allowed: `up to ${String(MAX_CLOSE_REASON_BYTES)} bytes of UTF-8` },
    { name: 'afterMs', description: 'Delay after the connection opens before the server acts (milliseconds).', default: '0', allowed: `0–${String(MAX_CLOSE_DELAY_MS)}` },
    { name: 'observer', description: 'Id from /ws/close/observe: the report of this connection goes there. Unknown ids are refused with HTTP 400.', allowed: 'an open observer id' },
    { name: 'run', description: 'Label for the report, chosen by the client. Needs observer.', allowed: 'up to 64 of A–Z a–z 0–9 _ . -' },
  ],
  messages: [
    {
      type: 'close-request',
      direction: 'client-to-server',
      description: 'The same request as the query string, made after the connection opened. An invalid code gets an INVALID_CLOSE_REQUEST error and the connection stays open.',
      example: { type: 'close-request', action: 'close', code: 4401, reason: 'token expired', afterMs: 0 },
    },
    { type: 'ping', direction: 'client-to-server', description: 'Answered with pong; counts toward the rate limit.', example: { type: 'ping' } },
    {
      type: 'scheduled',
      direction: 'server-to-client',
      description: 'The server accepted a request and will act after afterMs.',
      example: { type: 'scheduled', action: 'close', code: 4401, reason: 'token expired', afterMs: 0 },
    },
    { type: 'pong', direction: 'server-to-client', description: 'Answer to ping.', example: { type: 'pong' } },
    {
      type: 'error',
      direction: 'server-to-client',
      description: 'A request the server refused, with the reason. The connection stays open.',
      example: {
        type: 'error',
        error: 'INVALID_CLOSE_REQUEST',
        message:
          'invalid close request: close code 1005 cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 (1004, 1005, 1006 and 1015 never go on the wire)',
      },
    },
  ],
  limits: [
    `At most ${String(CLOSE_MESSAGES_PER_SECOND)} messages per second after a burst of ${String(CLOSE_MESSAGE_BURST)}; more closes the connection with 1008.`,
    `More than ${String(INVALID_MESSAGE_BURST)} invalid messages in a row (then ${String(INVALID_MESSAGES_PER_SECOND)} per second) close the connection with 1008.`,
    "A message larger than the server's --max-message-bytes closes the connection with 1009.",
    'One close request per connection.',
    'Invalid or unknown query parameters are refused with HTTP 400 and a message naming the problem.',
  ],
  closeCodes: [
    { code: 1000, when: 'asked to with action close and no code' },
    { code: 1008, when: 'the client sent messages faster than the rate limit, or kept sending invalid ones' },
    { code: 1009, when: 'a message was over the size limit' },
    { code: 1001, when: 'the server is shutting down' },
  ],
  clientSchema: closeClientMessage,
  serverSchema: closeServerMessage,
};

export const closeObserverEndpoint: EndpointDoc = {
  path: '/ws/close/observe',
  chapter: 'closing',
  summary:
    "Reports what the server saw when a /ws/close connection ended: the close frame or raw bytes it sent, the close frame the client sent back (if any), who closed first and the server's log line.",
  query: [],
  messages: [
    {
      type: 'observer',
      direction: 'server-to-client',
      description: "Sent on open: the id to pass to /ws/close as observer, and the server's limits.",
      example: { type: 'observer', observerId: '3f1c2a9e-5b7d-4e8f-9a01-2b3c4d5e6f70', maxMessageBytes: 65536, messagesPerSecond: 10, messageBurst: 20 },
    },
    {
      type: 'report',
      direction: 'server-to-client',
      description: 'One per /ws/close connection that named this observer, when it has closed.',
      example: {
        type: 'report',
        run: 'invalid-utf8-1',
        report: {
          run: 'invalid-utf8-1',
          action: 'invalid-utf8',
          serverSent: { description: 'a text frame whose payload is not UTF-8', bytes: '81 02 c3 28' },
          clientSent: { code: 1002, reason: 'Invalid UTF-8 in text frame' },
          closedBy: 'client',
          error: null,
          durationMs: 1.2,
          logLine: '1002 "Invalid UTF-8 in text frame" by client',
        },
      },
    },
  ],
  limits: ['Takes no messages: each one gets an error, and repeated ones close the connection with 1008.', 'Reports for an observer that has gone are dropped.'],
  closeCodes: [
    { code: 1001, when: 'the server is shutting down' },
    { code: 1008, when: 'the client kept sending messages' },
  ],
  clientSchema: null,
  serverSchema: closeObserverMessage,
};
