/**
 * The close lab's scenarios: how each one ends a connection, and what
 * Chromium and the demo server are documented to report for it (chapter 7
 * teaches these values; the browser test checks every one).
 */
import type { CloseAction } from '../../shared/protocol/close.ts';

/**
 * - `server-request`: ask `/ws/close` to end the connection a given way;
 * - `server-custom`: the same with a code and reason the reader types, sent
 *   unchecked so the server's own refusal shows;
 * - `rate-limit`: send faster than `/ws/close` allows (1008);
 * - `oversize`: send one byte more than the server's message limit (1009);
 * - `client-close`: the page calls `close(code, reason)`;
 * - `navigate-away`: the socket's page (an iframe) navigates away (1001).
 */
export type CloseScenarioKind = 'server-request' | 'server-custom' | 'rate-limit' | 'oversize' | 'client-close' | 'navigate-away';

export type CloseScenarioGroup = 'server-closes' | 'broken' | 'browser-closes';

export interface ExpectedClose {
  /** `code` of the page's CloseEvent; `null` when the page never gets one. */
  readonly pageCode: number | null;
  readonly wasClean: boolean | null;
  /** Whether an `error` event comes before the close. */
  readonly errorEvent: boolean;
  /** Code of the close frame the server received; `null` when none arrived. */
  readonly serverReceived: number | null;
  /** Who sent the first close frame; `network` when none was sent. */
  readonly closedBy: 'server' | 'client' | 'network';
}

export interface CloseScenario {
  /** URL-safe, also used in run labels. */
  readonly id: string;
  readonly group: CloseScenarioGroup;
  readonly kind: CloseScenarioKind;
  /** Short label, e.g. `1008 Policy Violation: rate limit`. */
  readonly title: string;
  /** What the lab does, in a sentence. */
  readonly description: string;
  /** For `server-request`: the request sent to `/ws/close`. */
  readonly request?: { readonly action: Exclude<CloseAction, 'wait'>; readonly code?: number; readonly reason?: string };
  /** In Chromium with the demo server; `null` for scenarios whose result depends on the reader's input. */
  readonly expected: ExpectedClose | null;
}

function serverClose(code: number, reason: string, title: string): CloseScenario {
  return {
    id: `close-${String(code)}`,
    group: 'server-closes',
    kind: 'server-request',
    title: `${String(code)} ${title}`,
    description: `The server sends a close frame with code ${String(code)} and reason "${reason}".`,
    request: { action: 'close', code, reason },
    expected: { pageCode: code, wasClean: true, errorEvent: false, serverReceived: code, closedBy: 'server' },
  };
}

export const CLOSE_SCENARIOS: readonly CloseScenario[] = [
  serverClose(1000, 'bye', 'Normal Closure'),
  serverClose(1001, 'server shutting down', 'Going Away'),
  serverClose(1003, 'binary not accepted', 'Unsupported Data'),
  {
    id: 'rate-limit',
    group: 'server-closes',
    kind: 'rate-limit',
    title: '1008 Policy Violation: rate limit',
    description: 'The page sends 40 pings at once; /ws/close allows a burst of 20, then 10 per second, and closes the connection for the rest.',
    expected: { pageCode: 1008, wasClean: true, errorEvent: false, serverReceived: 1008, closedBy: 'server' },
  },
  {
    id: 'oversize',
    group: 'server-closes',
    kind: 'oversize',
    title: '1009 Message Too Big',
    description: "The page sends one byte more than the server's message limit (--max-message-bytes, the limit that also guards /ws/echo).",
    expected: { pageCode: 1009, wasClean: true, errorEvent: false, serverReceived: null, closedBy: 'server' },
  },
  serverClose(1011, 'keepalive ping timeout', 'Internal Error'),
  serverClose(1012, 'restarting', 'Service Restart'),
  serverClose(1013, 'overloaded', 'Try Again Later'),
  serverClose(1014, 'upstream unreachable', 'Bad Gateway'),
  serverClose(4401, 'token expired', 'Unauthorized (application code)'),
  {
    id: 'server-custom',
    group: 'server-closes',
    kind: 'server-custom',
    title: 'Any code you choose',
    description: 'The page asks the server for the code and reason you type, without checking them first: the server refuses codes that may not be sent.',
    expected: null,
  },
  {
    id: 'no-status',
    group: 'broken',
    kind: 'server-request',
    title: '1005 No Status Received',
    description: 'The server sends a close frame with no code in it (88 00).',
    request: { action: 'no-status' },
    expected: { pageCode: 1005, wasClean: true, errorEvent: false, serverReceived: 1005, closedBy: 'server' },
  },
  {
    id: 'drop',
    group: 'broken',
    kind: 'server-request',
    title: '1006 Abnormal Closure: dropped connection',
    description: 'The server destroys the TCP connection without a close frame.',
    request: { action: 'drop' },
    expected: { pageCode: 1006, wasClean: false, errorEvent: false, serverReceived: null, closedBy: 'server' },
  },
  {
    id: 'invalid-utf8',
    group: 'broken',
    kind: 'server-request',
    title: 'Invalid UTF-8 in a text message',
    description: 'The server sends a text frame whose payload, c3 28, is not UTF-8.',
    request: { action: 'invalid-utf8' },
    expected: { pageCode: 1006, wasClean: false, errorEvent: true, serverReceived: 1002, closedBy: 'client' },
  },
  {
    id: 'masked-frame',
    group: 'broken',
    kind: 'server-request',
    title: 'A masked frame from the server',
    description: 'The server masks a frame, which only clients may do (RFC 6455 §5.1).',
    request: { action: 'masked-frame' },
    expected: { pageCode: 1006, wasClean: false, errorEvent: true, serverReceived: 1002, closedBy: 'client' },
  },
  {
    id: 'reserved-opcode',
    group: 'broken',
    kind: 'server-request',
    title: 'A reserved opcode',
    description: 'The server sends a frame with opcode 3, which RFC 6455 reserves.',
    request: { action: 'reserved-opcode' },
    expected: { pageCode: 1006, wasClean: false, errorEvent: true, serverReceived: 1002, closedBy: 'client' },
  },
  {
    id: 'client-close',
    group: 'browser-closes',
    kind: 'client-close',
    title: 'Your close(code, reason)',
    description: 'The page calls close() with the code and reason you type, after checking them: close() throws on codes a page may not send.',
    expected: null,
  },
  {
    id: 'navigate-away',
    group: 'browser-closes',
    kind: 'navigate-away',
    title: '1001 Going Away: navigating away',
    description: 'A socket opened by a small frame in this page; the lab navigates the frame to a blank page, and the browser closes the socket itself.',
    expected: { pageCode: null, wasClean: null, errorEvent: false, serverReceived: 1001, closedBy: 'client' },
  },
];

export const CLOSE_SCENARIO_GROUPS: readonly { readonly id: CloseScenarioGroup; readonly title: string }[] = [
  { id: 'server-closes', title: 'The server closes' },
  { id: 'broken', title: 'No status, no close frame, broken frames' },
  { id: 'browser-closes', title: 'The browser closes' },
];

/** The scenario with `id`; throws for an unknown id, which is a bug in the lab's markup. */
export function closeScenario(id: string): CloseScenario {
  const scenario = CLOSE_SCENARIOS.find((entry) => entry.id === id);
  if (scenario === undefined) throw new Error(`no close scenario "${id}"; expected one of ${CLOSE_SCENARIOS.map((entry) => entry.id).join(', ')}`);
  return scenario;
}
