/**
 * Frames a conforming server never sends, for the close lab. Each one makes
 * the client fail the connection (RFC 6455 §7.1.7). `ws` would refuse to
 * build them, so they are written here as hex and put straight on the TCP
 * socket.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

export type BrokenFrameName = 'invalid-utf8' | 'masked-frame' | 'reserved-opcode';

export interface BrokenFrame {
  readonly bytes: Buffer;
  /** What the frame is, for reports and the log. */
  readonly description: string;
}

export const BROKEN_FRAMES: Readonly<Record<BrokenFrameName, BrokenFrame>> = {
  // FIN + text (0x81), length 2, payload C3 28: C3 starts a two-byte UTF-8
  // sequence and 28 is not a continuation byte (RFC 3629 §4). RFC 6455 §8.1:
  // a text message that is not UTF-8 fails the connection.
  'invalid-utf8': {
    bytes: Buffer.from('8102c328', 'hex'),
    description: 'a text frame whose payload (c3 28) is not UTF-8',
  },
  // RFC 6455 §5.7's masked "Hello": correct from a client, but §5.1 says a
  // client must close the connection when a server frame is masked.
  'masked-frame': {
    bytes: Buffer.from('818537fa213d7f9f4d5158', 'hex'),
    description: 'a masked text frame ("Hello" masked as in RFC 6455 §5.7); only clients mask',
  },
  // RFC 6455 §5.2: opcodes 0x3–0x7 are reserved for future non-control
  // frames; a receiver that meets one must fail the connection.
  'reserved-opcode': {
    bytes: Buffer.from('83026869', 'hex'),
    description: 'a frame with reserved opcode 3 (payload "hi")',
  },
};

/** `88 02 03 e8`: the bytes as spaced lowercase hex. */
export function hexBytes(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

/**
 * The unmasked close frame a server sends for `code` and `reason`
 * (RFC 6455 §5.5.1: a 2-byte code in network order, then the UTF-8 reason);
 * `code` 1005 stands for a close frame with an empty body.
 */
export function serverCloseFrame(code: number, reason = ''): Buffer {
  if (code === 1005) return Buffer.from([0x88, 0x00]);
  const reasonBytes = Buffer.from(reason, 'utf8');
  const frame = Buffer.alloc(4 + reasonBytes.byteLength);
  frame[0] = 0x88;
  frame[1] = 2 + reasonBytes.byteLength;
  frame.writeUInt16BE(code, 2);
  reasonBytes.copy(frame, 4);
  return frame;
}

/**
 * Writes `frame` on the TCP socket under `socket`, bypassing ws's framing.
 * Nothing else is being sent on these connections, so the bytes cannot land
 * in the middle of another frame.
 */
export function writeBrokenFrame(socket: WebSocket, frame: BrokenFrame): void {
  const tcp = (socket as unknown as { _socket: Socket })._socket;
  tcp.write(frame.bytes);
}
