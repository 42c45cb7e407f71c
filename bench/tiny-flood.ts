/**
 * The worst case for per-message overhead (issue 16): one client floods
 * `/ws/echo` with two-byte messages and never reads the echoes. Before the
 * fix each queued echo was counted as 4 bytes but cost about 220, and
 * 5,000,000 of them added 1.58 GiB; a 512 MiB heap ran out in 7 s. Now each
 * message counts its real cost and the server stops reading a client whose
 * queue passes 1 MiB, so TCP holds the flooder back.
 *
 * The server runs in its own process with `--max-old-space-size=256`; the
 * flood stops after `frames` frames, when the server has stopped reading
 * for `stallMs` (the designed outcome), or after `maxMs`. Loopback only.
 *
 * `npm run bench:tiny-flood [-- --frames 5000000]` runs it alone;
 * `npm run bench` runs it as `tiny-flood`; tests/server/memory-bound.test.ts
 * runs a smaller variant (1,000,000 frames) in `npm test`.
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { formatBytes } from '../src/shared/format.ts';
import { encodeFrame, OPCODES } from '../src/shared/frame-codec.ts';
import { startDemoServer, watchRss } from './targets.ts';

export interface TinyFloodOptions {
  /** Two-byte frames to write at most. */
  readonly frames: number;
  /** The server has stopped reading when no 'drain' comes for this long. */
  readonly stallMs: number;
  /** Give up writing after this long. */
  readonly maxMs: number;
  /** The server's V8 heap (`--max-old-space-size`), in MiB. */
  readonly heapMiB: number;
}

export const TINY_FLOOD_DEFAULTS: TinyFloodOptions = { frames: 5_000_000, stallMs: 3_000, maxMs: 60_000, heapMiB: 256 };

/** The stated bound on the server's RSS growth: tens of MiB, whatever the number of frames. */
export const TINY_FLOOD_BOUND_BYTES = 64 * 1024 * 1024;

export interface TinyFloodResult {
  readonly options: TinyFloodOptions;
  readonly framesWritten: number;
  /** Whether the flood ended because the server stopped reading (back-pressure), not by count or time. */
  readonly serverStoppedReading: boolean;
  readonly baselineRssBytes: number;
  readonly peakRssBytes: number;
  readonly finalRssBytes: number;
  /** The server still answered another client's echo afterwards, and had not exited. */
  readonly serverAlive: boolean;
  readonly held: boolean;
  readonly durationMs: number;
}

const BATCH_FRAMES = 8_192;

function echoWorks(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.terminate();
      resolve(false);
    }, 5_000);
    socket.once('open', () => socket.send('still here'));
    socket.once('message', (data: Buffer) => {
      clearTimeout(timer);
      socket.close();
      resolve(data.toString() === 'still here');
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/** Runs the flood; always stops the server it started. */
export async function runTinyFlood(overrides: Partial<TinyFloodOptions> = {}): Promise<TinyFloodResult> {
  const options = { ...TINY_FLOOD_DEFAULTS, ...overrides };
  const server = await startDemoServer(['--quiet'], [`--max-old-space-size=${String(options.heapMiB)}`]);
  const url = `${server.wsOrigin}/ws/echo`;
  const startedAt = performance.now();
  let flooder: WebSocket | null = null;
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rss = await watchRss(server, 50);
    flooder = new WebSocket(url);
    await once(flooder, 'open');
    const tcp = (flooder as unknown as { _socket: Socket })._socket;
    // Never read a byte of the echoes.
    tcp.pause();
    const frame = encodeFrame({ opcode: OPCODES.text, payload: new TextEncoder().encode('hi'), maskingKey: new Uint8Array([1, 2, 3, 4]) });
    const batch = Buffer.concat(Array.from({ length: BATCH_FRAMES }, () => frame));
    const stopAt = performance.now() + options.maxMs;
    let framesWritten = 0;
    let serverStoppedReading = false;
    while (framesWritten < options.frames && performance.now() < stopAt && !serverStoppedReading) {
      framesWritten += BATCH_FRAMES;
      if (!tcp.write(batch)) {
        const drained = await Promise.race([once(tcp, 'drain').then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), options.stallMs))]);
        serverStoppedReading = !drained;
      }
    }
    const peakRssBytes = await rss.stop();
    const serverAlive = (await echoWorks(url)) && !server.hasExited();
    const finalRssBytes = await server.residentBytes();
    return {
      options,
      framesWritten,
      serverStoppedReading,
      baselineRssBytes: rss.baselineBytes,
      peakRssBytes,
      finalRssBytes,
      serverAlive,
      held: serverAlive && peakRssBytes - rss.baselineBytes <= TINY_FLOOD_BOUND_BYTES,
      durationMs: performance.now() - startedAt,
    };
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nserver output:\n${[...server.stdout, ...server.stderr].slice(-20).join('\n')}`, { cause: error });
  } finally {
    flooder?.terminate();
    await server.stop();
  }
}

/** The result as a few lines of text. */
export function describeTinyFlood(result: TinyFloodResult): string {
  const { options } = result;
  const growth = result.peakRssBytes - result.baselineRssBytes;
  const ending = result.serverStoppedReading
    ? `the server stopped reading (no drain for ${String(options.stallMs)} ms): TCP held the rest back`
    : result.framesWritten >= options.frames
      ? 'every frame was written'
      : `stopped after ${String(options.maxMs)} ms`;
  return [
    `one client wrote ${result.framesWritten.toLocaleString('en')} of ${options.frames.toLocaleString('en')} two-byte frames to /ws/echo without reading, server heap --max-old-space-size=${String(options.heapMiB)}; ${ending}`,
    `server RSS: baseline ${formatBytes(result.baselineRssBytes)}, peak ${formatBytes(result.peakRssBytes)} (+${formatBytes(growth)}), after ${formatBytes(result.finalRssBytes)}`,
    `bound on the growth: ${formatBytes(TINY_FLOOD_BOUND_BYTES)}: ${growth <= TINY_FLOOD_BOUND_BYTES ? 'held' : 'EXCEEDED'}; server ${result.serverAlive ? 'alive and echoing' : 'DOWN or not answering'}`,
    `took ${(result.durationMs / 1000).toFixed(1)} s`,
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { frames: { type: 'string' } } });
  const result = await runTinyFlood(values.frames === undefined ? {} : { frames: Number(values.frames) });
  console.log(describeTinyFlood(result));
  process.exit(result.held ? 0 : 1);
}
