/**
 * The small, always-loaded part of close codes: which codes may be sent,
 * their names, and whether to reconnect after each. Cells and the reconnect
 * policy import this; the descriptive table for labs and the reference page
 * (`close-codes.ts`) builds on it, so the two cannot disagree.
 */

/** Longest close reason: a control frame payload is at most 125 bytes, 2 of them the code (RFC 6455 §5.5). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** RFC 6455 §7.4.1 and the IANA "WebSocket Close Code Number Registry" (1012–1014). */
const CODE_NAMES: Readonly<Record<number, string>> = {
  1000: 'Normal Closure',
  1001: 'Going Away',
  1002: 'Protocol Error',
  1003: 'Unsupported Data',
  1004: 'Reserved',
  1005: 'No Status Received',
  1006: 'Abnormal Closure',
  1007: 'Invalid Payload Data',
  1008: 'Policy Violation',
  1009: 'Message Too Big',
  1010: 'Mandatory Extension',
  1011: 'Internal Error',
  1012: 'Service Restart',
  1013: 'Try Again Later',
  1014: 'Bad Gateway',
  1015: 'TLS Handshake',
};

/** Ranges outside the registry, with their names; 4400–4499 is 4000 + an HTTP 4xx status by convention (graphql-ws). */
export const CLOSE_CODE_RANGE_NAMES: readonly { readonly from: number; readonly to: number; readonly name: string }[] = [
  { from: 0, to: 999, name: 'Unused' },
  { from: 1016, to: 2999, name: 'Reserved' },
  { from: 3000, to: 3999, name: 'Registered' },
  { from: 4000, to: 4399, name: 'Private use' },
  { from: 4400, to: 4499, name: 'Private use: client error' },
  { from: 4500, to: 4999, name: 'Private use' },
];

/**
 * Codes after which coming straight back cannot help: the conversation was
 * ended on purpose (1000), or this client's data, protocol or behaviour was
 * refused and would be again (1002, 1003, 1007–1010), or TLS failed (1015).
 */
const NO_RECONNECT = new Set([1000, 1002, 1003, 1007, 1008, 1009, 1010, 1015]);

/** The registry name of `code`, or its range's. */
export function closeCodeName(code: number): string {
  const known = CODE_NAMES[code];
  if (known !== undefined) return known;
  if (!Number.isInteger(code)) return 'Unknown';
  return CLOSE_CODE_RANGE_NAMES.find((range) => code >= range.from && code <= range.to)?.name ?? 'Unknown';
}

/**
 * Who ended a connection that this side did not close, in a sentence: a
 * close frame's code came from the server (a browser that fails a connection
 * itself reports 1006 to the page), and 1006 means no close frame arrived.
 */
export function serverCloseSentence(close: { readonly code: number; readonly reason: string }): string {
  if (close.code === 1006) return 'The connection dropped without a close frame (1006 Abnormal Closure)';
  const reason = close.reason === '' ? '' : `: "${close.reason}"`;
  return `The server closed the connection with ${String(close.code)} ${closeCodeName(close.code)}${reason}`;
}

/**
 * Whether a client that wants to stay connected should reconnect (with
 * backoff) after a close with `code`: not after the codes above, nor after
 * 4400–4499 (a client error such as 4401 Unauthorized, which coming back as
 * is would repeat); yes after everything else (1001, 1005, 1006, 1011–1014:
 * the server went away, the network failed, or the server asked to come back
 * later; unknown codes: backoff bounds the cost of being wrong).
 */
export function shouldReconnectAfter(code: number): boolean {
  if (NO_RECONNECT.has(code)) return false;
  return !(code >= 4400 && code <= 4499);
}

/**
 * Whether `code` may appear in a close frame (RFC 6455 §7.4.2): the defined
 * codes except 1004, 1005, 1006 and 1015, and the 3000–4999 registered and
 * private ranges.
 */
export function isSendableCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006;
}

/** Byte length of `reason` in UTF-8, the unit the 123-byte limit counts in. */
export function utf8ByteLength(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

function reasonProblem(reason: string): string | null {
  const bytes = utf8ByteLength(reason);
  if (bytes > MAX_CLOSE_REASON_BYTES) {
    return `close reason is ${String(bytes)} bytes of UTF-8; at most ${String(MAX_CLOSE_REASON_BYTES)} fit in a close frame`;
  }
  return null;
}

/**
 * Explains why `code`/`reason` cannot be sent, or returns `null` when both are
 * fine. The message names what was received and what is allowed.
 */
export function closeRequestProblem(code: number, reason = ''): string | null {
  if (!isSendableCloseCode(code)) {
    return `close code ${String(code)} cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 (1004, 1005, 1006 and 1015 never go on the wire)`;
  }
  return reasonProblem(reason);
}

/**
 * Explains why the browser's `WebSocket.close(code, reason)` would throw, or
 * returns `null`. A page may send only 1000 and 3000–4999 (WHATWG WebSockets
 * standard, `close()` step 1): the 1001–1014 codes belong to the protocol
 * and the browser itself (1001 when a page goes away).
 */
export function browserCloseProblem(code: number | undefined, reason = ''): string | null {
  if (code !== undefined && code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
    return `close code ${String(code)} is not allowed from a page: WebSocket.close() accepts only 1000 or 3000–4999 (it throws InvalidAccessError otherwise)`;
  }
  const problem = reasonProblem(reason);
  return problem === null ? null : `${problem} (WebSocket.close() throws SyntaxError)`;
}
