/**
 * Close codes (RFC 6455 §7.4) and the rules for which may be sent. Shared by
 * the demo server (before it calls `ws.close()`, which throws on bad codes),
 * the browser cells (before `WebSocket.close()`, which throws too), the
 * reconnect policy (`reconnect.ts`) and the reference page's table.
 */

import { closeCodeName, shouldReconnectAfter } from './close-policy.ts';

/**
 * Who may put a code in a close frame: `either` endpoint, only the `server`,
 * only the `client`, or `nobody` (a code an API reports but that never goes
 * on the wire).
 */
export type CloseCodeSender = 'either' | 'server' | 'client' | 'nobody';

export interface CloseCodeInfo {
  readonly code: number;
  readonly name: string;
  readonly meaning: string;
  /** Who sends it (RFC 6455 §7.4.1 and the IANA registry). */
  readonly sentBy: CloseCodeSender;
  /** When it is used in practice, including where the demo server and the browser produce it. */
  readonly when: string;
  /**
   * Whether a client that wants to stay connected should reconnect (with
   * backoff) after receiving it. `reconnect.ts` follows this table.
   */
  readonly reconnect: boolean;
  /** What a client should do, and why. */
  readonly advice: string;
}

/** RFC 6455 §7.4.1 and the IANA "WebSocket Close Code Number Registry" (1012–1014). */
const CODE_DESCRIPTIONS: readonly Omit<CloseCodeInfo, 'name' | 'reconnect'>[] = [
  {
    code: 1000,
    meaning: 'The purpose of the connection has been fulfilled.',
    sentBy: 'either',
    when: 'A client or server ends a conversation on purpose: logout, a finished task, a browser calling close().',
    advice: 'Do not reconnect automatically: the peer ended the conversation deliberately. Reconnect when the user or the application asks.',
  },
  {
    code: 1001,
    meaning: 'The server is shutting down or the page is navigating away.',
    sentBy: 'either',
    when: 'A server stops or restarts (the demo server on Ctrl+C); a browser leaves or reloads the page that owned the socket.',
    advice: 'Reconnect with backoff: the server is probably coming back, perhaps as another process behind the same address.',
  },
  {
    code: 1002,
    meaning: 'The peer broke the WebSocket protocol.',
    sentBy: 'either',
    when: 'A frame was malformed: a masked frame from a server, an unknown opcode, a bad length. Chromium also sends it for invalid UTF-8 in a text message.',
    advice: 'Do not reconnect: the same code would break the protocol again. It is a bug in one of the two implementations.',
  },
  {
    code: 1003,
    meaning: 'The peer sent a kind of data it cannot accept (e.g. binary to a text-only endpoint).',
    sentBy: 'either',
    when: 'An endpoint that understands only text receives a binary message, or the other way round.',
    advice: 'Do not reconnect until the client sends data the server accepts.',
  },
  {
    code: 1004,
    meaning: 'Reserved; never sent.',
    sentBy: 'nobody',
    when: 'Never: RFC 6455 reserves it for a future meaning.',
    advice: 'Cannot arrive. Treated like an unknown code: reconnect with backoff.',
  },
  {
    code: 1005,
    meaning: 'The close frame carried no code. Never sent on the wire.',
    sentBy: 'nobody',
    when: 'The peer sent a close frame with an empty body; APIs report 1005 in its place. A browser calling close() with no code sends such a frame.',
    advice: 'Reconnect with backoff: the peer closed cleanly but gave no reason, as proxies and generic shutdowns often do.',
  },
  {
    code: 1006,
    meaning: 'The connection dropped without a close frame. Never sent on the wire.',
    sentBy: 'nobody',
    when: 'The TCP connection ended with no closing handshake: a crash, a dropped network, a heartbeat timeout, or the browser failing the connection.',
    advice: 'Reconnect with backoff and jitter: this is the network or a crash, and usually temporary.',
  },
  {
    code: 1007,
    meaning: 'A message was not consistent with its type (e.g. invalid UTF-8 in text).',
    sentBy: 'either',
    when: 'A text message was not valid UTF-8 (the ws library sends 1007; Chromium sends 1002 for the same fault).',
    advice: 'Do not reconnect: the same data would be refused again. Fix the encoding.',
  },
  {
    code: 1008,
    meaning: 'The message broke a policy (rate limit, send-buffer cap). A forbidden Origin is refused with HTTP 403 before any close frame can exist.',
    sentBy: 'either',
    when: 'A client sent too fast, kept sending invalid messages, or stopped reading; also a generic "no" when details are hidden.',
    advice: 'Do not reconnect automatically: the server refused this client’s behaviour, and coming straight back repeats it.',
  },
  {
    code: 1009,
    meaning: 'A message was larger than the peer accepts.',
    sentBy: 'either',
    when: 'A message passed the receiver’s size limit (the demo server’s --max-message-bytes, 64 KiB by default).',
    advice: 'Do not reconnect to send the same message: split it or shrink it first.',
  },
  {
    code: 1010,
    meaning: 'The client expected an extension the server did not negotiate.',
    sentBy: 'client',
    when: 'A client required an extension (such as compression) that the server’s handshake response did not accept.',
    advice: 'Do not reconnect: the server will refuse the extension again.',
  },
  {
    code: 1011,
    meaning: 'The sender hit an unexpected condition (also: keepalive ping timeout in some libraries).',
    sentBy: 'either',
    when: 'A handler threw; Python’s websockets, on either side, sends 1011 when a keepalive ping goes unanswered.',
    advice: 'Reconnect with backoff: the fault is on the server and often passes; backoff keeps a persistent bug from becoming a flood.',
  },
  {
    code: 1012,
    meaning: 'The server is restarting; reconnect later.',
    sentBy: 'server',
    when: 'A deploy or restart, announced before the process stops.',
    advice: 'Reconnect with backoff and jitter, so every client does not return in the same second.',
  },
  {
    code: 1013,
    meaning: 'The server is overloaded; reconnect with backoff.',
    sentBy: 'server',
    when: 'The server sheds load or is briefly unable to serve this client.',
    advice: 'Reconnect, but only with backoff: coming back at once adds to the overload.',
  },
  {
    code: 1014,
    meaning: 'A gateway received an invalid response from upstream.',
    sentBy: 'server',
    when: 'A proxy or gateway could not reach, or did not understand, the server behind it.',
    advice: 'Reconnect with backoff: the upstream server may be restarting.',
  },
  {
    code: 1015,
    meaning: 'The TLS handshake failed. Never sent on the wire.',
    sentBy: 'nobody',
    when: 'A wss:// connection failed its TLS handshake, e.g. an untrusted certificate. Browsers report 1006 to pages instead.',
    advice: 'Do not reconnect: the same certificate fails the same way. Fix the certificate or the URL.',
  },
];

/** The table: descriptions, with the name and reconnect advice from close-policy.ts. */
export const CLOSE_CODES: readonly CloseCodeInfo[] = CODE_DESCRIPTIONS.map((entry) => ({
  ...entry,
  name: closeCodeName(entry.code),
  reconnect: shouldReconnectAfter(entry.code),
}));

/**
 * Ranges outside the table. `4400–4499` follows the convention of adding
 * 4000 to an HTTP status (used by graphql-ws: 4400 Bad Request, 4401
 * Unauthorized, 4403 Forbidden, 4429 Too Many Requests): a client error that
 * reconnecting cannot fix.
 */
export interface CloseCodeRange extends Omit<CloseCodeInfo, 'code'> {
  readonly from: number;
  readonly to: number;
}

const RANGE_DESCRIPTIONS: readonly Omit<CloseCodeRange, 'name' | 'reconnect'>[] = [
  {
    from: 0,
    to: 999,
    meaning: 'Not a close code: never sent.',
    sentBy: 'nobody',
    when: 'Never.',
    advice: 'Cannot arrive from a conforming peer. Treated like an unknown code: reconnect with backoff.',
  },
  {
    from: 1016,
    to: 2999,
    meaning: 'Reserved for RFC 6455, its extensions and future revisions.',
    sentBy: 'nobody',
    when: 'Never today: browsers and ws refuse to send them.',
    advice: 'Treated like an unknown code: reconnect with backoff.',
  },
  {
    from: 3000,
    to: 3999,
    meaning: 'Reserved for libraries, frameworks and applications registered with IANA.',
    sentBy: 'either',
    when: 'A library defines its own meaning and registers it; a browser may send any of them with close().',
    advice: 'Follow the library that defined it; without its rules, reconnect with backoff.',
  },
  {
    from: 4000,
    to: 4399,
    meaning: 'Defined by this application.',
    sentBy: 'either',
    when: 'An application’s own reasons, agreed between its client and server.',
    advice: 'The application decides; a generic client reconnects with backoff.',
  },
  {
    from: 4400,
    to: 4499,
    meaning: 'Defined by this application; by convention 4000 + an HTTP 4xx status, e.g. 4401 Unauthorized.',
    sentBy: 'either',
    when: 'The server refuses this client: a bad request (4400), an expired token (4401), a forbidden room (4403), too many requests (4429).',
    advice: 'Do not reconnect until something changes: a new token, a corrected request. Coming back as is gets the same answer.',
  },
  {
    from: 4500,
    to: 4999,
    meaning: 'Defined by this application; by convention 4500–4599 mirror HTTP 5xx server errors.',
    sentBy: 'either',
    when: 'An application’s own reasons, e.g. 4500 for an internal server error.',
    advice: 'Reconnect with backoff, unless the application defines otherwise.',
  },
];

export const CLOSE_CODE_RANGES: readonly CloseCodeRange[] = RANGE_DESCRIPTIONS.map((range) => ({
  ...range,
  name: closeCodeName(range.from),
  reconnect: shouldReconnectAfter(range.from),
}));

/**
 * The demo server's own codes in the private-use range (RFC 6455 §7.4.2),
 * with what each means here. The 44xx codes of `/ws/account/ticket`
 * (chapter 10) are 4000 + the HTTP status the same refusal gets at the
 * handshake. `SOCKET_ERRORS` (protocol/errors.ts) sends them.
 */
const DEMO_SERVER_CODE_DESCRIPTIONS: readonly Omit<CloseCodeInfo, 'reconnect' | 'sentBy'>[] = [
  {
    code: 4000,
    name: 'Heartbeat timeout',
    meaning: 'The client did not answer the server’s ping in time (/ws/heartbeat).',
    when: 'A /ws/heartbeat client stopped answering application pings for longer than its timeout.',
    advice: 'Reconnect with backoff: the client was frozen or its network stalled.',
  },
  {
    code: 4400,
    name: 'Bad request',
    meaning: 'The authentication was malformed: the first message was not an auth message, or its ticket was not a ticket.',
    when: '/ws/account/ticket, when the first message is not {"type":"auth","ticket":…} or the ticket has the wrong format; /ws/classroom, when the first message is not a join or its student key or transfer code has the wrong format.',
    advice: 'Do not reconnect as is: fix the message.',
  },
  {
    code: 4401,
    name: 'Unauthorized',
    meaning: 'No valid credentials: never given, or expired mid-stream.',
    when: '/ws/account/unsafe and /safe without a session cookie; /ws/account/ticket when the connection’s credentials expire.',
    advice: 'Fetch fresh credentials (a new ticket), then reconnect once. If that is refused too, stop and ask the user to log in.',
  },
  {
    code: 4403,
    name: 'Forbidden',
    meaning: 'The ticket, student key or transfer code is unknown to the server: forged, or from another server.',
    when: '/ws/account/ticket, first-message authentication with a ticket the server never issued; /ws/classroom, a join with a student key this class never issued (or whose data folder was deleted) or an unknown, used or expired transfer code.',
    advice: 'Do not reconnect with the same ticket or key. A classroom page forgets its key and joins again as a new student.',
  },
  {
    code: 4408,
    name: 'Authentication timeout',
    meaning: 'No auth (or join) message arrived in time after the connection opened.',
    when: '/ws/account/ticket without ?ticket=, when no auth message arrives within 5 s; /ws/classroom, when no join message arrives within 5 s.',
    advice: 'Send the auth or join message as soon as the connection opens.',
  },
  {
    code: 4409,
    name: 'Ticket reused',
    meaning: 'The ticket was already used: tickets are valid once.',
    when: '/ws/account/ticket, first-message authentication with a ticket already redeemed.',
    advice: 'Fetch a new ticket; never keep one for a second connection.',
  },
  {
    code: 4410,
    name: 'Ticket expired',
    meaning: 'The ticket was used after its few seconds of validity.',
    when: '/ws/account/ticket, first-message authentication with an expired ticket.',
    advice: 'Fetch a new ticket and use it at once.',
  },
];

/** The demo server's private-use codes, for the reference page and the labs. */
export const DEMO_SERVER_CLOSE_CODES: readonly CloseCodeInfo[] = DEMO_SERVER_CODE_DESCRIPTIONS.map((entry) => ({
  ...entry,
  sentBy: 'server',
  reconnect: shouldReconnectAfter(entry.code),
}));

export {
  browserCloseProblem,
  closeCodeName,
  closeRequestProblem,
  isSendableCloseCode,
  MAX_CLOSE_REASON_BYTES,
  shouldReconnectAfter,
  utf8ByteLength,
} from './close-policy.ts';

/** The registry entry for `code`, or a description of its range. */
export function describeCloseCode(code: number): CloseCodeInfo {
  const known = CLOSE_CODES.find((entry) => entry.code === code);
  if (known) return known;
  const range = CLOSE_CODE_RANGES.find((entry) => code >= entry.from && code <= entry.to);
  if (range !== undefined && Number.isInteger(code)) {
    const { name, meaning, sentBy, when, reconnect, advice } = range;
    return { code, name, meaning, sentBy, when, reconnect, advice };
  }
  return {
    code,
    name: 'Unknown',
    meaning: 'Not a code RFC 6455 defines.',
    sentBy: 'nobody',
    when: 'Never from a conforming peer.',
    reconnect: true,
    advice: 'Treated like an unknown code: reconnect with backoff.',
  };
}

/** `server`, `client`, … as words for tables. */
export function describeSender(sentBy: CloseCodeSender): string {
  switch (sentBy) {
    case 'either':
      return 'Either side';
    case 'server':
      return 'Server';
    case 'client':
      return 'Client';
    case 'nobody':
      return 'Never sent (reported locally)';
  }
}
