import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { busyWait, ConsumerLedger } from '../../src/shared/backpressure/consumer.ts';
import { RUN_BOUNDS } from '../../src/shared/backpressure/run-config.ts';
import { requireBoundedInteger, type BoundedInteger } from '../../src/shared/bounded-integer.ts';
import { describeEnding, formatCount } from '../../src/shared/backpressure/ending.ts';
import type { PageClose } from '../../src/shared/backpressure/store.ts';
import { describeCloseCode } from '../../src/shared/close-codes.ts';
import { formatBytes, formatDuration } from '../../src/shared/format.ts';
import {
  BACKPRESSURE_BOUNDS,
  BACKPRESSURE_MODES,
  BACKPRESSURE_PATH,
  BACKPRESSURE_STATS_PATH,
  backpressureQuery,
  backpressureStatsMessage,
  type BackpressureEnded,
  type BackpressureMode,
  type BackpressureSettings,
  type BackpressureStats,
} from '../../src/shared/protocol/backpressure.ts';
import { normaliseServerUrl } from '../../src/shared/server-url.ts';
import type { ClientMode } from '../mode.ts';
import * as v from 'valibot';

export const SLOW_USAGE = `[url] [--rate n] [--size bytes] [--work-ms ms] [--mode naive|credit|conflate]
       [--window n] [--ping-interval-ms ms] [--pong-timeout-ms ms] [--keepalive-ms ms] [--seconds s]`;

const SLOW_DEFAULTS = {
  workMs: 50,
  creditWindow: 16,
  /** Longest run; credit and conflate runs then finish and drain. */
  seconds: 60,
  /** Client-side keepalive (like Python websockets' ping_timeout); 0 is off. */
  keepaliveMs: 0,
  /** How long to wait for the server's final account after the close. */
  finalAccountWaitMs: 3_000,
};

interface SlowOptions {
  readonly server: string;
  readonly settings: BackpressureSettings;
  readonly workMs: number;
  readonly creditWindow: number;
  readonly keepaliveMs: number;
  readonly seconds: number;
}

/** `text` as the flag `flag` reads `spec`; `fallback` when the flag is absent. */
function wholeNumber(flag: string, text: string | undefined, fallback: number, spec: BoundedInteger): number {
  return text === undefined ? fallback : requireBoundedInteger({ ...spec, name: flag }, text);
}

/** The client's own keepalive: 0 is off. */
const KEEPALIVE_MS: BoundedInteger = { name: 'keepaliveMs', min: 100, max: 120_000, zeroMeansOff: true };
const RUN_SECONDS: BoundedInteger = { name: 'seconds', min: 1, max: 3_600 };

/** Reads the mode's arguments; throws `TypeError` naming the flag that is wrong. */
export function parseSlowArgs(args: readonly string[], defaultServer: string): SlowOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      rate: { type: 'string' },
      size: { type: 'string' },
      'work-ms': { type: 'string' },
      mode: { type: 'string' },
      window: { type: 'string' },
      'ping-interval-ms': { type: 'string' },
      'pong-timeout-ms': { type: 'string' },
      'keepalive-ms': { type: 'string' },
      seconds: { type: 'string' },
    },
  });
  if (positionals.length > 1) throw new TypeError(`expected at most one server URL, got ${positionals.join(' ')}`);
  const serverText = positionals[0];
  const server = serverText === undefined ? defaultServer : normaliseServerUrl(serverText);
  if (server === null) throw new TypeError(`the server must be a ws://, wss://, http:// or https:// address, got ${JSON.stringify(serverText)}`);
  const mode = values.mode ?? 'naive';
  if (!(BACKPRESSURE_MODES as readonly string[]).includes(mode)) {
    throw new TypeError(`--mode must be one of ${BACKPRESSURE_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  }
  const bounds = BACKPRESSURE_BOUNDS;
  return {
    server,
    settings: {
      mode: mode as BackpressureMode,
      messagesPerSecond: wholeNumber('--rate', values.rate, bounds.messagesPerSecond.default, bounds.messagesPerSecond),
      messageBytes: wholeNumber('--size', values.size, bounds.messageBytes.default, bounds.messageBytes),
      pingIntervalMs: wholeNumber('--ping-interval-ms', values['ping-interval-ms'], bounds.pingIntervalMs.default, bounds.pingIntervalMs),
      pongTimeoutMs: wholeNumber('--pong-timeout-ms', values['pong-timeout-ms'], bounds.pongTimeoutMs.default, bounds.pongTimeoutMs),
      uploadBytesPerSecond: 0,
    },
    workMs: wholeNumber('--work-ms', values['work-ms'], SLOW_DEFAULTS.workMs, RUN_BOUNDS.workPerMessageMs),
    creditWindow: wholeNumber('--window', values.window, SLOW_DEFAULTS.creditWindow, RUN_BOUNDS.creditWindow),
    keepaliveMs: wholeNumber('--keepalive-ms', values['keepalive-ms'], SLOW_DEFAULTS.keepaliveMs, KEEPALIVE_MS),
    seconds: wholeNumber('--seconds', values.seconds, SLOW_DEFAULTS.seconds, RUN_SECONDS),
  };
}

function progressLine(elapsedMs: number, ledger: ConsumerLedger, server: BackpressureStats | null, ended: BackpressureEnded | null): string {
  const progress = ledger.progress();
  const age = progress.lastAgeMs === null ? '–' : formatDuration(progress.lastAgeMs);
  const serverSide =
    ended !== null
      ? `   server: gave up at ${formatDuration(ended.elapsedMs)}, ${ended.detail}; this client has not noticed yet`
      : server === null
      ? ''
      : `   server: sent ${formatCount(server.sent)}, holds ${formatBytes(server.bufferedBytes)}, ${String(server.pingsUnanswered)} ping${server.pingsUnanswered === 1 ? '' : 's'} unanswered`;
  return `${formatDuration(elapsedMs).padStart(7)}  processed ${formatCount(progress.processed).padStart(6)}, age ${age.padStart(8)}${serverSide}`;
}

/**
 * `slow`: a deliberately slow consumer of /ws/backpressure. Each message
 * blocks the event loop for --work-ms (a busy-wait), so Node stops reading
 * the socket and TCP pushes back to the server, as in the seed's Python
 * client. It follows the server's side on the stats channel and prints, at
 * the end, the close code and what was lost: sent − processed, and how many
 * messages were received but never processed.
 */
export const slowMode: ClientMode = {
  summary: 'a deliberately slow consumer of /ws/backpressure: watch the server give up, then count what was lost',
  usage: '[url] [flags]',
  run(args, { server: defaultServer, print, warn, signal }) {
    let options: SlowOptions;
    try {
      options = parseSlowArgs(args, defaultServer);
    } catch (error) {
      warn(`${error instanceof Error ? error.message : String(error)}\n\nUsage: npm run client -- slow ${SLOW_USAGE}`);
      return Promise.resolve(2);
    }
    return runSlowConsumer(options, print, warn, signal);
  },
};

function runSlowConsumer(options: SlowOptions, print: (line: string) => void, warn: (line: string) => void, signal: AbortSignal): Promise<number> {
  const { settings } = options;
  const url = `${options.server}${BACKPRESSURE_PATH}${backpressureQuery(settings)}`;
  const startedAt = performance.now();
  const elapsed = () => performance.now() - startedAt;
  // One message per turn of the event loop (ws emits them all at once by default), so timers and the
  // stats channel get a turn between messages; ws still stops reading while messages wait.
  const socket = new WebSocket(url, { allowSynchronousEvents: false });
  const ledger = new ConsumerLedger({ mode: settings.mode, creditWindow: options.creditWindow }, (text) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
  });
  let stats: WebSocket | null = null;
  let latestStats: BackpressureStats | null = null;
  let peakServerBufferedBytes = 0;
  let serverEnded: BackpressureEnded | null = null;
  let clientClose: PageClose | null = null;
  let pingSentAt: number | null = null;
  const timers: ReturnType<typeof setInterval>[] = [];

  const stop = (reason: string) => {
    if (socket.readyState !== WebSocket.OPEN || clientClose !== null) return;
    if (settings.mode === 'naive') {
      clientClose = { code: 1000, reason, wasClean: true, initiatedBy: 'page', elapsedMs: elapsed() };
      socket.close(1000, reason);
      return;
    }
    print(`${reason}: asking the server to finish, then processing what it already sent`);
    ledger.finish();
  };

  return new Promise((resolve) => {
    signal.addEventListener('abort', () => stop('stopped with Ctrl+C'));
    timers.push(setTimeout(() => stop(`${String(options.seconds)} s are up`), options.seconds * 1000));
    timers.push(setInterval(() => print(progressLine(elapsed(), ledger, latestStats, serverEnded)), 1000));
    if (options.keepaliveMs > 0) {
      // Like Python websockets' keepalive: a ping with no pong in keepaliveMs fails the connection with 1011.
      timers.push(
        setInterval(() => {
          if (socket.readyState !== WebSocket.OPEN || clientClose !== null) return;
          if (pingSentAt !== null && performance.now() - pingSentAt >= options.keepaliveMs) {
            clientClose = { code: 1011, reason: 'keepalive ping timeout', wasClean: false, initiatedBy: 'page', elapsedMs: elapsed() };
            print('sent 1011 (internal error) keepalive ping timeout; no close frame received');
            socket.close(1011, 'keepalive ping timeout');
            setTimeout(() => socket.terminate(), 100).unref();
            return;
          }
          if (pingSentAt === null) {
            pingSentAt = performance.now();
            socket.ping();
          }
        }, Math.max(50, Math.floor(options.keepaliveMs / 4))),
      );
      socket.on('pong', () => {
        pingSentAt = null;
      });
    }

    socket.on('open', () => {
      const perSecond = Math.min(settings.messagesPerSecond, 1000 / options.workMs);
      print(`connected to ${url}`);
      print(
        `${settings.mode} mode: the server sends ${formatCount(settings.messagesPerSecond)} messages/s of ${formatBytes(settings.messageBytes)}; this client blocks for ${String(options.workMs)} ms on each, so it processes at most ${perSecond.toFixed(0)}/s`,
      );
    });
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      const kind = ledger.receive(text);
      if (kind === 'hello' && ledger.hello !== null) {
        stats = followStats(`${options.server}${BACKPRESSURE_STATS_PATH}?id=${ledger.hello.statsId}`);
        return;
      }
      if (kind === 'error') warn(`server: ${ledger.lastError ?? ''}`);
      if (kind !== 'data') {
        if (ledger.drained && clientClose === null) closeAfterDrain();
        return;
      }
      // Messages that arrive after the connection died are dropped, as websocket libraries do.
      if (socket.readyState !== WebSocket.OPEN || clientClose !== null) return;
      busyWait(options.workMs);
      ledger.processed(text);
      if (ledger.drained) closeAfterDrain();
    });
    socket.on('error', (error) => {
      if (ledger.hello === null) warn(`error: ${error.message}`);
    });
    socket.on('close', (code: number, reason: Buffer) => {
      clientClose ??= { code, reason: reason.toString(), wasClean: code !== 1006, initiatedBy: 'remote', elapsedMs: elapsed() };
      for (const timer of timers) clearInterval(timer);
      if (ledger.hello === null) {
        warn(`could not open ${url} (${String(code)}); is the demo server running? Start it with "npm start".`);
        resolve(1);
        return;
      }
      const finish = () => resolve(report());
      if (serverEnded !== null || stats === null) finish();
      else {
        const wait = setTimeout(finish, SLOW_DEFAULTS.finalAccountWaitMs);
        stats.once('close', () => {
          clearTimeout(wait);
          finish();
        });
      }
    });
  });

  function closeAfterDrain(): void {
    clientClose = { code: 1000, reason: 'finished', wasClean: true, initiatedBy: 'page', elapsedMs: elapsed() };
    socket.close(1000, 'finished');
  }

  function followStats(statsUrl: string): WebSocket {
    const channel = new WebSocket(statsUrl);
    channel.on('message', (data: Buffer) => {
      const parsed = v.safeParse(backpressureStatsMessage, JSON.parse(data.toString()));
      if (!parsed.success) return;
      if (parsed.output.type === 'stats') {
        latestStats = parsed.output;
        peakServerBufferedBytes = Math.max(peakServerBufferedBytes, parsed.output.bufferedBytes);
      } else if (parsed.output.type === 'ended') serverEnded = parsed.output;
    });
    channel.on('error', (error) => warn(`stats channel: ${error.message}`));
    return channel;
  }

  function report(): number {
    const close = clientClose ?? { code: 1006, reason: '', wasClean: false, initiatedBy: 'remote' as const, elapsedMs: elapsed() };
    const ending = describeEnding(
      {
        config: { settings, consumer: 'blocking', workPerMessageMs: options.workMs, creditWindow: options.creditWindow, pageBudgetBytes: 16 * 1024 * 1024 },
        serverEnded,
        server: latestStats,
        consumer: ledger.progress(),
        pageClose: close,
        elapsedMs: elapsed(),
        peakServerBufferedBytes,
      },
      { consumer: 'this client' },
    );
    const reason = close.reason === '' ? '' : ` "${close.reason}"`;
    print('');
    print(`closed: ${String(close.code)} (${describeCloseCode(close.code).name})${reason}${close.initiatedBy === 'page' ? ', sent by this client' : close.wasClean ? '' : ', no close frame received'}`);
    print(ending.headline);
    print(ending.closeLine);
    if (ending.lost !== null && ending.sent !== null) {
      print(`lost: ${formatCount(ending.lost)} = ${formatCount(ending.sent)} sent − ${formatCount(ending.processed)} processed`);
    } else {
      print(`processed: ${formatCount(ending.processed)} (the server's count is unknown: its stats channel did not report)`);
    }
    for (const line of ending.explanation) print(`  ${line}`);
    const delivered = (ending.inTcpBuffers ?? 0) + ending.receivedNotProcessed;
    print(`received but never processed: ${formatCount(delivered)} (TCP delivered them; this client never processed them)`);
    return ending.verdict === 'clean' ? 0 : 1;
  }
}
