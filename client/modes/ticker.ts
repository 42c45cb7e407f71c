import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { reconnectDelayMs, type BackoffOptions } from '../../src/shared/backoff.ts';
import { requireBoundedInteger } from '../../src/shared/bounded-integer.ts';
import { clockTimeMs, formatDuration } from '../../src/shared/format.ts';
import type { TickerClientMessage, TickerServerMessage } from '../../src/shared/protocol/ticker.ts';
import { RECONNECT_DEFAULTS } from '../../src/shared/reconnect.ts';
import type { ClientContext, ClientMode } from '../mode.ts';

export interface TickerCliOptions {
  /** Application ping every this often while connected. */
  readonly pingIntervalMs: number;
  /** A ping unanswered this long means the server is unresponsive: drop the connection and reconnect. */
  readonly pongTimeoutMs: number;
  /** An opening handshake that takes longer fails (a frozen server still accepts TCP connections). */
  readonly connectTimeoutMs: number;
  /** First reconnection delay, before jitter; doubles per failed attempt. */
  readonly minBackoffMs: number;
  /** Longest reconnection delay, before jitter. */
  readonly maxBackoffMs: number;
}

export const TICKER_CLI_DEFAULTS: TickerCliOptions = {
  pingIntervalMs: 5_000,
  pongTimeoutMs: 3_000,
  connectTimeoutMs: 5_000,
  minBackoffMs: RECONNECT_DEFAULTS.minReconnectionDelay,
  maxBackoffMs: RECONNECT_DEFAULTS.maxReconnectionDelay,
};

const FLAGS = {
  'ping-interval-ms': 'pingIntervalMs',
  'pong-timeout-ms': 'pongTimeoutMs',
  'connect-timeout-ms': 'connectTimeoutMs',
  'min-backoff-ms': 'minBackoffMs',
  'max-backoff-ms': 'maxBackoffMs',
} as const satisfies Record<string, keyof TickerCliOptions>;

const USAGE = `Usage: npm run client -- ticker SYMBOL... [--server ws://host:port]
  --ping-interval-ms <n>    application ping every n ms (default ${String(TICKER_CLI_DEFAULTS.pingIntervalMs)})
  --pong-timeout-ms <n>     no pong within n ms = server unresponsive, reconnect (default ${String(TICKER_CLI_DEFAULTS.pongTimeoutMs)})
  --connect-timeout-ms <n>  give up an opening handshake after n ms (default ${String(TICKER_CLI_DEFAULTS.connectTimeoutMs)})
  --min-backoff-ms <n>      first reconnection delay (default ${String(TICKER_CLI_DEFAULTS.minBackoffMs)}), doubling up to
  --max-backoff-ms <n>      the longest delay (default ${String(TICKER_CLI_DEFAULTS.maxBackoffMs)}); each delay has ±30 % jitter
Symbols: AAPL SPY MSFT GOOG AMZN TSLA NVDA BTC-USD`;

/** Reads symbols and flags; throws `TypeError` with a message for the reader on bad input. */
export function parseTickerArgs(args: readonly string[]): { symbols: string[]; options: TickerCliOptions } {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    allowPositionals: true,
    strict: true,
  });
  const options: Record<keyof TickerCliOptions, number> = { ...TICKER_CLI_DEFAULTS };
  for (const [flag, key] of Object.entries(FLAGS)) {
    const text = values[flag];
    if (typeof text !== 'string') continue;
    options[key] = requireBoundedInteger({ name: `--${flag}`, min: 10, max: 600_000, unit: 'ms' }, text);
  }
  if (options.minBackoffMs > options.maxBackoffMs) {
    throw new TypeError(`--min-backoff-ms (${String(options.minBackoffMs)}) must not exceed --max-backoff-ms (${String(options.maxBackoffMs)})`);
  }
  const symbols = positionals.map((symbol) => symbol.toUpperCase());
  if (symbols.length === 0) throw new TypeError('ticker needs at least one symbol, e.g. npm run client -- ticker AAPL SPY');
  return { symbols, options };
}

function describeClose(code: number, reason: string): string {
  if (code === 1006) return '1006 (connection dropped without a close frame)';
  return reason === '' ? String(code) : `${String(code)} "${reason}"`;
}

function formatPrice(message: Extract<TickerServerMessage, { type: 'price' }>): string {
  const sign = message.change < 0 ? '-' : '+';
  return `${clockTimeMs(new Date(message.time))}  ${message.symbol.padEnd(8)} ${message.price.toFixed(2).padStart(10)}  ${sign}${Math.abs(message.change).toFixed(2)}`;
}

/**
 * The Go seed's client: subscribes, prints price changes and the ping round
 * trip, declares the server unresponsive when a pong is late, and reconnects
 * with exponential backoff and jitter, subscribing again each time.
 */
function runTicker(symbols: readonly string[], options: TickerCliOptions, { server, print, warn, signal }: ClientContext): Promise<number> {
  const url = `${server}/ws/ticker`;
  const backoff: BackoffOptions = {
    minReconnectionDelay: options.minBackoffMs,
    maxReconnectionDelay: options.maxBackoffMs,
    reconnectionDelayGrowFactor: RECONNECT_DEFAULTS.reconnectionDelayGrowFactor,
    jitterRatio: RECONNECT_DEFAULTS.jitterRatio,
  };
  return new Promise((resolve) => {
    let socket: WebSocket | null = null;
    let failedAttempts = 0;
    let nextPingId = 1;
    let pingTimer: ReturnType<typeof setInterval> | null = null;
    let pongTimer: ReturnType<typeof setTimeout> | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;

    const stopTimers = () => {
      if (pingTimer !== null) clearInterval(pingTimer);
      if (pongTimer !== null) clearTimeout(pongTimer);
      pingTimer = null;
      pongTimer = null;
    };
    const send = (message: TickerClientMessage) => socket?.send(JSON.stringify(message));
    const ping = () => {
      if (pongTimer !== null) return;
      const id = nextPingId++;
      send({ type: 'ping', id, sent: performance.timeOrigin + performance.now() });
      pongTimer = setTimeout(() => {
        print(`server unresponsive: no pong to ping #${String(id)} within ${String(options.pongTimeoutMs)} ms; dropping the connection`);
        socket?.terminate();
      }, options.pongTimeoutMs);
    };

    const connect = () => {
      retryTimer = null;
      if (failedAttempts === 0) print(`connecting to ${url}`);
      let opened = false;
      const current = new WebSocket(url, { handshakeTimeout: options.connectTimeoutMs });
      socket = current;
      current.on('open', () => {
        opened = true;
        failedAttempts = 0;
        print(`connected; subscribing to ${symbols.join(', ')}`);
        send({ type: 'subscribe', symbols: [...symbols] });
        pingTimer = setInterval(ping, options.pingIntervalMs);
      });
      current.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as TickerServerMessage;
        switch (message.type) {
          case 'price':
            print(formatPrice(message));
            return;
          case 'pong':
            if (pongTimer !== null) clearTimeout(pongTimer);
            pongTimer = null;
            print(`ping #${String(message.id)}: round trip ${formatDuration(performance.timeOrigin + performance.now() - message.sent)}`);
            return;
          case 'subscribed':
            print(`subscribed: ${message.subscriptions.join(', ')}`);
            return;
          case 'error':
            warn(`server says ${message.error}: ${message.message}`);
            return;
          case 'welcome':
          case 'unsubscribed':
            return;
        }
      });
      current.on('error', (error) => {
        if (!opened) print(`connection attempt failed: ${error.message}`);
      });
      current.on('close', (code: number, reason: Buffer) => {
        stopTimers();
        if (opened) print(`closed: ${describeClose(code, reason.toString())}`);
        if (signal.aborted) {
          resolve(0);
          return;
        }
        failedAttempts += 1;
        const delay = reconnectDelayMs(failedAttempts, backoff);
        print(`reconnecting in ${formatDuration(delay)} (attempt ${String(failedAttempts + 1)})`);
        retryTimer = setTimeout(connect, delay);
      });
    };

    signal.addEventListener('abort', () => {
      if (retryTimer !== null) clearTimeout(retryTimer);
      stopTimers();
      if (socket === null || socket.readyState === WebSocket.CLOSED) resolve(0);
      else if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'bye');
      else socket.terminate();
    });
    connect();
  });
}

/** `ticker SYMBOL…`: the Go seed's stock-ticker client, with heartbeat and reconnection. */
export const tickerMode: ClientMode = {
  summary: 'subscribe to /ws/ticker symbols; ping, detect a frozen server, reconnect',
  usage: 'SYMBOL...',
  async run(args, context) {
    let parsed: ReturnType<typeof parseTickerArgs>;
    try {
      parsed = parseTickerArgs(args);
    } catch (error) {
      context.warn(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
      return 2;
    }
    return runTicker(parsed.symbols, parsed.options, context);
  },
};
