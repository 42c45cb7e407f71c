/**
 * The opening handshake's arithmetic (RFC 6455 §4.2.2): how a server turns
 * the client's `Sec-WebSocket-Key` into `Sec-WebSocket-Accept`. Uses Web
 * Crypto (`crypto.subtle`), which browsers and Node 24 both have.
 */
import { toHex } from './frame-codec.ts';

/** RFC 6455 §1.3: the fixed GUID every server appends to the key. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The key and Accept value from RFC 6455 §1.3, the protocol's own test vector. */
export const RFC_EXAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const RFC_EXAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

/** Each step from key to Accept value, for showing the work. */
export interface AcceptComputation {
  readonly key: string;
  /** `key + GUID`, the string that is hashed (as ASCII). */
  readonly concatenated: string;
  /** The 20-byte SHA-1 digest. */
  readonly sha1: Uint8Array;
  /** The digest in hex, `b3 7a 4f …`. */
  readonly sha1Hex: string;
  /** The digest in base64: the `Sec-WebSocket-Accept` value. */
  readonly accept: string;
}

/** Bytes → standard base64 (with padding), without Node's `Buffer`. */
export function base64FromBytes(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Whether `key` is a valid `Sec-WebSocket-Key`: the base64 of 16 bytes
 * (RFC 6455 §4.1), which is always 22 characters and `==`.
 */
export function isValidWebSocketKey(key: string): boolean {
  return /^[+/0-9A-Za-z]{21}[AQgw]==$/.test(key);
}

/** A fresh `Sec-WebSocket-Key`: 16 random bytes in base64, as a browser makes one. */
export function generateWebSocketKey(random: (bytes: Uint8Array<ArrayBuffer>) => void = (bytes) => crypto.getRandomValues(bytes)): string {
  const bytes = new Uint8Array(16);
  random(bytes);
  return base64FromBytes(bytes);
}

/**
 * Computes `Sec-WebSocket-Accept` for `key` step by step:
 * `base64(SHA-1(key + GUID))`. The key is used as sent, without decoding it
 * (RFC 6455 §4.2.2, item 5.4).
 */
export async function computeAccept(key: string): Promise<AcceptComputation> {
  const concatenated = key + WEBSOCKET_GUID;
  const sha1 = new Uint8Array(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(concatenated)));
  return { key, concatenated, sha1, sha1Hex: toHex(sha1), accept: base64FromBytes(sha1) };
}

/**
 * Splits a comma-separated header value such as `Sec-WebSocket-Protocol:
 * json.v1, text.v1` into its tokens (RFC 6455 §4.1 and RFC 9110 §5.6.1).
 */
export function parseTokenList(value: string | null | undefined): string[] {
  if (value == null) return [];
  return value
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '');
}

/** A subprotocol name must be an HTTP token (RFC 6455 §4.1, RFC 9110 §5.6.2): no spaces, commas or quotes. */
export function isValidSubprotocol(name: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name);
}
