import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeFrame, OPCODES, type DecodedFrame } from '../../src/shared/frame-codec.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';
import { RawWebSocketClient } from '../../grader/raw-client.ts';

const KEY = new Uint8Array([9, 8, 7, 6]);

/** Reads frames until a close frame (or the end of the connection); returns what came, in order. */
async function framesUntilClose(client: RawWebSocketClient): Promise<DecodedFrame[]> {
  const frames: DecodedFrame[] = [];
  for (;;) {
    let frame: DecodedFrame;
    try {
      frame = await client.nextFrame();
    } catch {
      return frames;
    }
    frames.push(frame);
    if (frame.opcodeName === 'close') return frames;
  }
}

function closeCodeOf(frame: DecodedFrame | undefined): number | null {
  if (frame?.opcodeName !== 'close' || frame.payload.byteLength < 2) return null;
  return ((frame.payload[0] ?? 0) << 8) | (frame.payload[1] ?? 0);
}

let running: RunningServer;
beforeEach(async () => {
  running = await startServer();
});
afterEach(async () => {
  await running.close();
});

describe('close codes reported as sent', () => {
  it('too many fragments: ws sends 1008, and the log says 1008 (it said 1009)', async () => {
    const raw = await RawWebSocketClient.connect(`${running.wsUrl}/ws/echo`);
    const parts = [encodeFrame({ fin: false, opcode: OPCODES.text, payload: new Uint8Array([0x61]), maskingKey: KEY })];
    const continuation = encodeFrame({ fin: false, opcode: OPCODES.continuation, payload: new Uint8Array([0x61]), maskingKey: KEY });
    // ws's maxFragments is 16 Ki.
    for (let index = 0; index < 17_000; index++) parts.push(continuation);
    raw.write(new Uint8Array(Buffer.concat(parts)));
    const frames = await framesUntilClose(raw);
    expect(closeCodeOf(frames.at(-1))).toBe(1008);
    await expect.poll(() => running.log.find((line) => line.includes(' close ')), { timeout: 5_000 }).toMatch(/ 1008 by server/);
    expect(running.log.find((line) => line.includes(' close '))).not.toContain('1009');
    raw.close();
  });
});

describe('ping flood', () => {
  it('answers a burst of pings, then closes a flood of 1,000 with a 1008 close frame ("too many pings"), not a TCP reset', async () => {
    const raw = await RawWebSocketClient.connect(`${running.wsUrl}/ws/echo`);
    const ping = encodeFrame({ opcode: OPCODES.ping, payload: new TextEncoder().encode('p'), maskingKey: KEY });
    raw.write(new Uint8Array(Buffer.concat(Array.from({ length: 1_000 }, () => ping))));
    const frames = await framesUntilClose(raw);
    const pongs = frames.filter((frame) => frame.opcodeName === 'pong').length;
    expect(pongs).toBeGreaterThanOrEqual(100);
    expect(pongs).toBeLessThan(110);
    const close = frames.at(-1);
    expect(closeCodeOf(close)).toBe(1008);
    expect(new TextDecoder().decode(close?.payload.subarray(2))).toMatch(/^too many pings: more than 100 at once or 10 a second/);
    await expect.poll(() => running.log.find((line) => line.includes(' close ')), { timeout: 5_000 }).toMatch(/ 1008 "too many pings/);
    raw.close();
  });
});

describe('/ws/backpressure?pingIntervalMs=0', () => {
  it('still pings the client, so a dead peer is still detected', async () => {
    const client = new WebSocket(`${running.wsUrl}/ws/backpressure?mode=credit&pingIntervalMs=0`);
    const pinged = once(client, 'ping');
    await once(client, 'open');
    const outcome = await Promise.race([pinged.then(() => 'ping'), new Promise((resolve) => setTimeout(() => resolve('no ping within 3 s'), 3_000))]);
    expect(outcome).toBe('ping');
    client.terminate();
  });
});
