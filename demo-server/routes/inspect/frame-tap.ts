import type { Socket } from 'node:net';
import { FrameDecoder, type DecodedFrame } from '../../../src/shared/frame-codec.ts';
import type { Connection } from '../../core/connection.ts';

export interface FrameTapOptions {
  /** Frames announcing a bigger payload stop the tap (ws closes those connections with 1009 itself). */
  readonly maxPayloadBytes: number;
  /** Payload bytes kept per frame, so a 1 MiB frame costs no more than a small one. */
  readonly keepPayloadBytes: number;
}

/**
 * Calls `onFrame` for every frame the client sends, decoded from the TCP
 * bytes exactly as they arrived. Returns a function that stops the tap.
 *
 * The listener is prepended so it reads each chunk before `ws` does: `ws`
 * unmasks payloads in place, in the very buffer the socket emitted, so a
 * listener after it would see unmasked bytes. The decoder copies what it
 * keeps. A malformed frame ends the tap silently: `ws` fails the
 * connection with the proper close code (RFC 6455 §7.1.7).
 */
export function tapClientFrames(connection: Connection, options: FrameTapOptions, onFrame: (frame: DecodedFrame) => void): () => void {
  // ws keeps the upgraded TCP socket in a private field; there is no public accessor.
  const tcp = (connection.socket as unknown as { _socket?: Socket })._socket;
  if (tcp === undefined) return () => undefined;
  const decoder = new FrameDecoder({
    sender: 'client',
    maxPayloadBytes: options.maxPayloadBytes,
    keepPayloadBytes: options.keepPayloadBytes,
    // Report what ws accepts: it does not insist on the shortest length encoding.
    requireMinimalLength: false,
  });
  const onData = (chunk: Buffer) => {
    if (decoder.state === 'failed') return;
    let frames: DecodedFrame[];
    try {
      frames = decoder.push(chunk);
    } catch {
      return;
    }
    for (const frame of frames) onFrame(frame);
  };
  tcp.prependListener('data', onData);
  return () => {
    tcp.off('data', onData);
  };
}
