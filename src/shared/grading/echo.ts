import { toHex } from '../frame-codec.ts';

/**
 * What an echo server must send back, message by message: the cases the
 * terminal grader (`grader/suites/echo.ts`) and the browser's "Check my
 * server" panel both run, with one wording of each verdict. Whole messages
 * only: fragments, pings and bad frames need a raw socket, so they stay in
 * the grader.
 */
export type EchoMessageType = 'text' | 'binary';

export interface EchoMessage {
  readonly type: EchoMessageType;
  readonly payload: Uint8Array;
}

export interface EchoCase {
  readonly name: string;
  /** What to fix when it fails. */
  readonly hint: string;
  /** Whether the echo must keep each message's type (only the first two cases judge it). */
  readonly sameType: boolean;
  /** The messages, sent one at a time, each waiting for its echo. */
  messages(): readonly EchoMessage[];
}

/** `length` bytes of printable ASCII, so a text message of exactly that many bytes is valid UTF-8. */
export function asciiOfLength(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) bytes[index] = 0x21 + (index % 94);
  return bytes;
}

/** How a message or its answer reads in a verdict: type, length and the first bytes. */
export function describeMessage(type: string, payload: Uint8Array): string {
  const head = toHex(payload.subarray(0, 8));
  return `${type} of ${payload.length.toLocaleString('en')} bytes${payload.length === 0 ? '' : ` (${head}${payload.length > 8 ? ' …' : ''})`}`;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) if (a[index] !== b[index]) return index;
  return length;
}

/** Why `answer` is not the echo of `sent`, or `null` when it is. */
export function echoMismatch(sent: EchoMessage, answer: EchoMessage, sameType: boolean): string | null {
  if (sameType && answer.type !== sent.type) {
    return `sent a ${describeMessage(sent.type, sent.payload)}, got back a ${describeMessage(answer.type, answer.payload)}: the echo must keep the opcode`;
  }
  if (answer.payload.length !== sent.payload.length) {
    return `sent ${sent.payload.length.toLocaleString('en')} bytes, got back ${answer.payload.length.toLocaleString('en')}`;
  }
  const at = firstDifference(sent.payload, answer.payload);
  if (at !== sent.payload.length) {
    return `the echo differs from byte ${String(at)} on: sent ${toHex(sent.payload.subarray(at, at + 8))}, got ${toHex(answer.payload.subarray(at, at + 8))}`;
  }
  return null;
}

const encoder = new TextEncoder();

/** The whole-message echo cases, in the order both checkers run them. */
export const ECHO_CASES: readonly EchoCase[] = [
  {
    name: 'echoes a text message as text, byte for byte',
    hint: 'Send every text message back as a text frame (opcode 0x1) with the same bytes; do not re-encode it or trim it.',
    sameType: true,
    messages: () => [{ type: 'text', payload: encoder.encode('héllo, wörld ✓ 🚀') }],
  },
  {
    name: 'echoes a binary message as binary, byte for byte',
    hint: 'Send every binary message back as a binary frame (opcode 0x2) with the same bytes: do not decode it as text (bytes such as ff or 00 must survive).',
    sameType: true,
    messages: () => [{ type: 'binary', payload: Uint8Array.from({ length: 256 }, (_, index) => 255 - index) }],
  },
  {
    name: 'echoes empty text and binary messages',
    hint: 'A message of 0 bytes is still a message (RFC 6455 §5.2 allows a payload length of 0): echo it, do not skip it as "nothing received".',
    sameType: false,
    messages: () => [
      { type: 'text', payload: new Uint8Array(0) },
      { type: 'binary', payload: new Uint8Array(0) },
    ],
  },
  {
    name: 'echoes 125- and 126-byte messages (7-bit and 16-bit lengths)',
    hint: 'RFC 6455 §5.2: lengths up to 125 fit the 7-bit field; 126 to 65,535 are sent as 126 followed by a 16-bit length, always in the shortest form.',
    sameType: false,
    messages: () => [
      { type: 'binary', payload: asciiOfLength(125) },
      { type: 'text', payload: asciiOfLength(126) },
    ],
  },
  {
    name: 'echoes 65,535- and 65,536-byte messages (16-bit and 64-bit lengths)',
    hint: 'RFC 6455 §5.2: 65,536 bytes and more need 127 and a 64-bit length. Accept messages of at least 64 KiB (a server that closes with 1009 here has a limit below 65,536 bytes).',
    sameType: false,
    messages: () => [
      { type: 'binary', payload: asciiOfLength(65_535) },
      { type: 'text', payload: asciiOfLength(65_536) },
    ],
  },
];

/** The largest case, whose check may take longer than one answer. */
export const LARGEST_ECHO_CASE = ECHO_CASES[4];
