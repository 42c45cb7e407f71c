/**
 * Many slow consumers at once against a real demo server in its own process,
 * watching the server's resident memory (RSS, from /proc/<pid>/status).
 *
 * Each client opens /ws/backpressure in naive mode, reads the hello and then
 * never reads again: the worst slow consumer. Without a limit the server
 * would queue everything it produces for every client. With the send-buffer
 * cap, each client costs at most `maxBufferedBytes` of queued data (plus its
 * connection's own overhead) before it is cut off with 1008, so:
 *
 *   RSS growth ≤ clients × (maxBufferedBytes + per-connection overhead) + slack
 *
 * `npm run bench:slow-consumers -- --clients 200` runs it from the command
 * line; tests/server/slow-consumers.test.ts runs a smaller variant.
 */
import { startDemoServer, watchRss } from './targets.ts';
import type { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { formatBytes } from '../src/shared/format.ts';
import { backpressureQuery } from '../src/shared/protocol/backpressure.ts';
import { DEFAULTS } from '../demo-server/options.ts';

export interface SlowConsumersOptions {
  readonly clients: number;
  readonly messagesPerSecond: number;
  readonly messageBytes: number;
  /** The server's --max-buffered-bytes. */
  readonly maxBufferedBytes: number;
  /** Clients opened per second (a gentle ramp). */
  readonly openPerSecond: number;
  /** Give up waiting for the server to cut everyone off after this long. */
  readonly timeoutMs: number;
}

export const SLOW_CONSUMERS_DEFAULTS: SlowConsumersOptions = {
  clients: 200,
  // 2 MiB/s each: past the ~4 MiB the kernel's socket buffers absorb, the server's own buffer fills within seconds.
  messagesPerSecond: 32,
  messageBytes: 65_536,
  maxBufferedBytes: 512 * 1024,
  openPerSecond: 100,
  timeoutMs: 45_000,
};

/** Memory a connection costs the server besides its queued data (ws, http and socket state), generously. */
export const CONNECTION_OVERHEAD_BYTES = 128 * 1024;
/**
 * Room for what the process holds whatever the number of clients: V8's heap
 * and JIT settling under load, sent messages awaiting garbage collection, and
 * memory the allocator keeps after freeing it.
 */
export const RSS_SLACK_BYTES = 64 * 1024 * 1024;
/** What the kernel's socket buffers take before the server's own buffer grows (about 4 MiB here: tcp_wmem's maximum). */
export const KERNEL_ABSORBED_BYTES = 4 * 1024 * 1024;
/** The server's heartbeat in the benchmark's URLs: the defaults (a ping a second, 10 s to answer). */
const HEARTBEAT_HORIZON_MS = 1_000 + 10_000;

export interface SlowConsumersResult {
  readonly options: SlowConsumersOptions;
  readonly baselineRssBytes: number;
  readonly peakRssBytes: number;
  readonly finalRssBytes: number;
  /**
   * `min(clients × maxBufferedBytes, the server-wide --max-total-buffered-bytes)
   * + clients × overhead + slack`: what the growth must stay under.
   */
  readonly boundBytes: number;
  /**
   * Estimate of what the server would have queued without the cap, when only
   * the heartbeat cuts clients off: each client's bytes for 11 s, less what
   * the kernel absorbs.
   */
  readonly withoutCapBytes: number;
  /** Close lines from the server log, counted by their code and cause. */
  readonly closes: Readonly<Record<string, number>>;
  readonly durationMs: number;
}

/** A client that reads the hello and then stops reading for good. */
function openNonReader(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('message', () => {
      (socket as unknown as { _socket: Socket })._socket.pause();
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** The server logs one line per close: `close  #12 /ws/backpressure  127.0.0.1:53412  1008 "send buffer full: …" by server …`. */
const CLOSE_LINE = / close +#\d+ \/ws\/backpressure +\S+ +(\d+(?: "[^":]+)?|1006 \([^)]+\))/;

function countCloses(log: readonly string[]): Record<string, number> {
  const closes: Record<string, number> = {};
  for (const line of log) {
    const close = CLOSE_LINE.exec(line)?.[1];
    if (close !== undefined) closes[close] = (closes[close] ?? 0) + 1;
  }
  return closes;
}

/** Runs the benchmark; always stops the server it started. */
export async function runSlowConsumers(overrides: Partial<SlowConsumersOptions> = {}): Promise<SlowConsumersResult> {
  const options = { ...SLOW_CONSUMERS_DEFAULTS, ...overrides };
  const server = await startDemoServer(['--max-buffered-bytes', String(options.maxBufferedBytes)]);
  const log = server.stdout;
  const clients: WebSocket[] = [];
  const startedAt = performance.now();
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rss = await watchRss(server, 100);
    const query = backpressureQuery({ messagesPerSecond: options.messagesPerSecond, messageBytes: options.messageBytes });
    const url = `${server.wsOrigin}/ws/backpressure${query}`;
    for (let index = 0; index < options.clients; index++) {
      clients.push(await openNonReader(url));
      await new Promise((resolve) => setTimeout(resolve, 1000 / options.openPerSecond));
    }
    // Wait until the server has cut off every client.
    const deadline = performance.now() + options.timeoutMs;
    while (Object.values(countCloses(log)).reduce((sum, count) => sum + count, 0) < options.clients) {
      if (performance.now() > deadline) throw new Error(`the server still had slow clients after ${String(options.timeoutMs)} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const endedAt = performance.now();
    const peakRssBytes = await rss.stop();
    const finalRssBytes = await server.residentBytes();
    const closes = countCloses(log);
    const perClientWithoutCap = Math.max(0, (options.messagesPerSecond * options.messageBytes * HEARTBEAT_HORIZON_MS) / 1000 - KERNEL_ABSORBED_BYTES);
    return {
      options,
      baselineRssBytes: rss.baselineBytes,
      peakRssBytes,
      finalRssBytes,
      boundBytes: Math.min(options.clients * options.maxBufferedBytes, DEFAULTS.maxTotalBufferedBytes) + options.clients * CONNECTION_OVERHEAD_BYTES + RSS_SLACK_BYTES,
      withoutCapBytes: options.clients * perClientWithoutCap,
      closes,
      durationMs: endedAt - startedAt,
    };
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nserver output:\n${[...server.stdout, ...server.stderr].slice(-20).join('\n')}`, { cause: error });
  } finally {
    for (const client of clients) client.terminate();
    await server.stop();
  }
}

/** The result as a few lines of text. */
export function describeSlowConsumers(result: SlowConsumersResult): string {
  const { options } = result;
  const growth = result.peakRssBytes - result.baselineRssBytes;
  const perClient = formatBytes(options.messagesPerSecond * options.messageBytes);
  return [
    `${String(options.clients)} consumers that never read, ${String(options.messagesPerSecond)} messages/s of ${formatBytes(options.messageBytes)} each (${perClient}/s per client), server started with --max-buffered-bytes ${String(options.maxBufferedBytes)}`,
    `server RSS: baseline ${formatBytes(result.baselineRssBytes)}, peak ${formatBytes(result.peakRssBytes)} (+${formatBytes(growth)}), at the end ${formatBytes(result.finalRssBytes)}`,
    `bound on the growth: min(${String(options.clients)} × ${formatBytes(options.maxBufferedBytes)} cap, ${formatBytes(DEFAULTS.maxTotalBufferedBytes)} server-wide) + ${String(options.clients)} × ${formatBytes(CONNECTION_OVERHEAD_BYTES)} per connection + ${formatBytes(RSS_SLACK_BYTES)} = ${formatBytes(result.boundBytes)}: ${growth <= result.boundBytes ? 'held' : 'EXCEEDED'}`,
    `closes seen by the server: ${Object.entries(result.closes).map(([close, count]) => `${String(count)} × ${close}`).join(', ')}`,
    `without the cap only the heartbeat (10 s without a pong) would stop them, after the server had queued about ${formatBytes(result.withoutCapBytes)} for them`,
    `took ${(result.durationMs / 1000).toFixed(1)} s`,
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string' },
      rate: { type: 'string' },
      size: { type: 'string' },
      cap: { type: 'string' },
    },
  });
  const overrides: Partial<SlowConsumersOptions> = {
    ...(values.clients === undefined ? {} : { clients: Number(values.clients) }),
    ...(values.rate === undefined ? {} : { messagesPerSecond: Number(values.rate) }),
    ...(values.size === undefined ? {} : { messageBytes: Number(values.size) }),
    ...(values.cap === undefined ? {} : { maxBufferedBytes: Number(values.cap) }),
  };
  const result = await runSlowConsumers(overrides);
  console.log(describeSlowConsumers(result));
  process.exit(result.peakRssBytes - result.baselineRssBytes <= result.boundBytes ? 0 : 1);
}
