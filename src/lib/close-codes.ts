/**
 * Close codes (RFC 6455 §7.4) and the rules for which may be sent. Shared by
 * the demo server (before it calls `ws.close()`, which throws on bad codes)
 * and by the browser cells (before `WebSocket.close()`, which throws too).
 */

export interface CloseCodeInfo {
  readonly code: number;
  readonly name: string;
  readonly meaning: string;
}

/** RFC 6455 §7.4.1 and the IANA registry. */
export const CLOSE_CODES: readonly CloseCodeInfo[] = [
  { code: 1000, name: 'Normal Closure', meaning: 'The purpose of the connection has been fulfilled.' },
  { code: 1001, name: 'Going Away', meaning: 'The server is shutting down or the page is navigating away.' },
  { code: 1002, name: 'Protocol Error', meaning: 'The peer broke the WebSocket protocol.' },
  { code: 1003, name: 'Unsupported Data', meaning: 'The peer sent a kind of data it cannot accept (e.g. binary to a text-only endpoint).' },
  { code: 1004, name: 'Reserved', meaning: 'Reserved; never sent.' },
  { code: 1005, name: 'No Status Received', meaning: 'The close frame carried no code. Never sent on the wire.' },
  { code: 1006, name: 'Abnormal Closure', meaning: 'The connection dropped without a close frame. Never sent on the wire.' },
  { code: 1007, name: 'Invalid Payload Data', meaning: 'A message was not consistent with its type (e.g. invalid UTF-8 in text).' },
  { code: 1008, name: 'Policy Violation', meaning: 'The message broke a policy (rate limit, origin, send-buffer cap).' },
  { code: 1009, name: 'Message Too Big', meaning: 'A message was larger than the peer accepts.' },
  { code: 1010, name: 'Mandatory Extension', meaning: 'The client expected an extension the server did not negotiate.' },
  { code: 1011, name: 'Internal Error', meaning: 'The server hit an unexpected condition (also: keepalive ping timeout in some libraries).' },
  { code: 1012, name: 'Service Restart', meaning: 'The server is restarting; reconnect later.' },
  { code: 1013, name: 'Try Again Later', meaning: 'The server is overloaded; reconnect with backoff.' },
  { code: 1014, name: 'Bad Gateway', meaning: 'A gateway received an invalid response from upstream.' },
  { code: 1015, name: 'TLS Handshake', meaning: 'The TLS handshake failed. Never sent on the wire.' },
];

/** Longest close reason: a control frame payload is at most 125 bytes, 2 of them the code (RFC 6455 §5.5). */
export const MAX_CLOSE_REASON_BYTES = 123;

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

/**
 * Explains why `code`/`reason` cannot be sent, or returns `null` when both are
 * fine. The message names what was received and what is allowed.
 */
export function closeRequestProblem(code: number, reason = ''): string | null {
  if (!isSendableCloseCode(code)) {
    return `close code ${String(code)} cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 (1004, 1005, 1006 and 1015 never go on the wire)`;
  }
  const bytes = utf8ByteLength(reason);
  if (bytes > MAX_CLOSE_REASON_BYTES) {
    return `close reason is ${String(bytes)} bytes of UTF-8; at most ${String(MAX_CLOSE_REASON_BYTES)} fit in a close frame`;
  }
  return null;
}

/** The registry entry for `code`, or a description of its range. */
export function describeCloseCode(code: number): CloseCodeInfo {
  const known = CLOSE_CODES.find((entry) => entry.code === code);
  if (known) return known;
  if (code >= 3000 && code <= 3999) {
    return { code, name: 'Registered', meaning: 'Reserved for libraries, frameworks and applications registered with IANA.' };
  }
  if (code >= 4000 && code <= 4999) {
    return { code, name: 'Private use', meaning: 'Defined by this application.' };
  }
  return { code, name: 'Unknown', meaning: 'Not a code RFC 6455 defines.' };
}
