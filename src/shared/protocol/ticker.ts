import * as v from 'valibot';
import { integerRange, type BoundedInteger } from '../bounded-integer.ts';
import type { EndpointDoc } from './endpoint-doc.ts';
import { errorMessageSchema } from './error-message.ts';

/**
 * `/ws/ticker`: the Go seed's stock feed. A client subscribes to symbols and
 * receives their price changes; application-level pings are answered with
 * pongs, so either side can tell the other is alive.
 */

/** The symbols the feed knows; anything else gets an `UNKNOWN_SYMBOL` error. */
export const TICKER_SYMBOLS = ['AAPL', 'SPY', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA', 'BTC-USD'] as const;
export type TickerSymbol = (typeof TICKER_SYMBOLS)[number];
/** How often the feed may move each symbol's price. */
export const TICKER_INTERVAL_MS = 250;
/** Bounds of `?latencyMs=`, the simulated one-way network delay. */
export const TICKER_LATENCY_MS = { name: 'latencyMs', min: 0, max: 2_000 } as const satisfies BoundedInteger;
/** Most symbols in one subscribe or unsubscribe message. */
export const TICKER_MAX_SYMBOLS_PER_MESSAGE = 16;
/** Invalid messages (bad JSON, unknown type or symbol) tolerated in a burst, refilled per second; more close with 1008. */
export const TICKER_INVALID_BURST = 5;
export const TICKER_INVALID_PER_SECOND = 1;
/** Messages accepted in a burst, refilled per second; more close with 1008. */
export const TICKER_MESSAGE_BURST = 40;
export const TICKER_MESSAGES_PER_SECOND = 20;

const SymbolList = v.pipe(
  v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(16))),
  v.minLength(1, 'list at least one symbol'),
  v.maxLength(TICKER_MAX_SYMBOLS_PER_MESSAGE, `at most ${String(TICKER_MAX_SYMBOLS_PER_MESSAGE)} symbols per message`),
);
const Milliseconds = v.pipe(v.number(), v.finite());

const SubscribeMessage = v.object({ type: v.literal('subscribe'), symbols: SymbolList });
const UnsubscribeMessage = v.object({ type: v.literal('unsubscribe'), symbols: SymbolList });
/** The Go seed's application ping: `sent` is the client's clock, returned unchanged. */
const PingMessage = v.object({ type: v.literal('ping'), id: Milliseconds, sent: Milliseconds });

export const TickerClientMessageSchema = v.variant('type', [SubscribeMessage, UnsubscribeMessage, PingMessage]);
export type TickerClientMessage = v.InferOutput<typeof TickerClientMessageSchema>;
export const TICKER_CLIENT_TYPES = ['subscribe', 'unsubscribe', 'ping'] as const;

const WelcomeMessage = v.object({
  type: v.literal('welcome'),
  symbols: v.array(v.string()),
  intervalMs: v.number(),
  latencyMs: v.number(),
});
const SubscribedMessage = v.object({
  type: v.literal('subscribed'),
  /** Symbols this message added. */
  symbols: v.array(v.string()),
  /** Every symbol now subscribed. */
  subscriptions: v.array(v.string()),
  /** Server time the request was handled, ms since the epoch. */
  time: v.number(),
});
const UnsubscribedMessage = v.object({
  type: v.literal('unsubscribed'),
  symbols: v.array(v.string()),
  subscriptions: v.array(v.string()),
  time: v.number(),
});
const PriceMessage = v.object({
  type: v.literal('price'),
  symbol: v.string(),
  price: v.number(),
  /** Change since the previous price of this symbol. */
  change: v.number(),
  /** Server time of the change, ms since the epoch. */
  time: v.number(),
});
const PongMessage = v.object({
  type: v.literal('pong'),
  id: v.number(),
  /** The ping's `sent`, unchanged: the client subtracts it from its clock for the round trip. */
  sent: v.number(),
  /** Server time the ping was handled, for estimating the clock offset. */
  time: v.number(),
});

export const TickerServerMessageSchema = v.variant('type', [WelcomeMessage, SubscribedMessage, UnsubscribedMessage, PriceMessage, PongMessage, errorMessageSchema]);
export type TickerServerMessage = v.InferOutput<typeof TickerServerMessageSchema>;
export const TICKER_SERVER_TYPES = ['welcome', 'subscribed', 'unsubscribed', 'price', 'pong', 'error'] as const;
export type TickerPriceMessage = v.InferOutput<typeof PriceMessage>;
export type TickerPongMessage = v.InferOutput<typeof PongMessage>;

export const tickerEndpoint: EndpointDoc = {
  path: '/ws/ticker',
  chapter: 'messages',
  summary:
    'A stock ticker: subscribe and unsubscribe symbols and receive their price changes, from one shared random-walk feed. Answers application-level pings with pongs.',
  query: [
    {
      name: 'latencyMs',
      description: 'Simulated one-way network delay: every message each way is held this long, so messages visibly cross in flight.',
      default: '0',
      allowed: integerRange(TICKER_LATENCY_MS),
    },
  ],
  messages: [
    { type: 'subscribe', direction: 'client-to-server', description: 'Adds symbols (case-insensitive). Unknown ones get an UNKNOWN_SYMBOL error; the known ones are still added.', example: { type: 'subscribe', symbols: ['AAPL', 'SPY'] } },
    { type: 'unsubscribe', direction: 'client-to-server', description: 'Removes symbols.', example: { type: 'unsubscribe', symbols: ['SPY'] } },
    { type: 'ping', direction: 'client-to-server', description: 'Application-level ping; answered with a pong carrying the same id and sent.', example: { type: 'ping', id: 1, sent: 1_700_000_000_000 } },
    {
      type: 'welcome',
      direction: 'server-to-client',
      description: 'First message: the known symbols, the feed interval and the simulated latency.',
      example: { type: 'welcome', symbols: [...TICKER_SYMBOLS], intervalMs: TICKER_INTERVAL_MS, latencyMs: 0 },
    },
    {
      type: 'subscribed',
      direction: 'server-to-client',
      description: 'Answer to subscribe: what was added and everything now subscribed. The current price of each added symbol follows at once.',
      example: { type: 'subscribed', symbols: ['AAPL', 'SPY'], subscriptions: ['AAPL', 'SPY'], time: 1_700_000_000_003 },
    },
    {
      type: 'unsubscribed',
      direction: 'server-to-client',
      description: 'Answer to unsubscribe.',
      example: { type: 'unsubscribed', symbols: ['SPY'], subscriptions: ['AAPL'], time: 1_700_000_000_004 },
    },
    {
      type: 'price',
      direction: 'server-to-client',
      description: 'A price change of a subscribed symbol.',
      example: { type: 'price', symbol: 'AAPL', price: 190.12, change: 0.05, time: 1_700_000_000_250 },
    },
    { type: 'pong', direction: 'server-to-client', description: 'Answer to ping.', example: { type: 'pong', id: 1, sent: 1_700_000_000_000, time: 1_700_000_000_001 } },
    {
      type: 'error',
      direction: 'server-to-client',
      description: 'Invalid JSON, an unknown type, a malformed message or unknown symbols; the connection stays open.',
      example: { type: 'error', error: 'UNKNOWN_SYMBOL', message: 'unknown symbol: FOO; known symbols are AAPL, SPY, MSFT, GOOG, AMZN, TSLA, NVDA, BTC-USD' },
    },
  ],
  limits: [
    `At most ${String(TICKER_MAX_SYMBOLS_PER_MESSAGE)} symbols per message.`,
    `More than ${String(TICKER_INVALID_BURST)} messages answered with an error in a burst (refilled at ${String(TICKER_INVALID_PER_SECOND)} per second) close with 1008.`,
    `More than ${String(TICKER_MESSAGE_BURST)} messages in a burst (refilled at ${String(TICKER_MESSAGES_PER_SECOND)} per second) close with 1008.`,
    "Messages over the server's --max-message-bytes (64 KiB by default) close with 1009.",
  ],
  closeCodes: [
    { code: 1001, when: 'the server is shutting down' },
    { code: 1008, when: 'too many invalid messages, too many messages, or the client stopped reading' },
    { code: 1009, when: 'a message was over the size limit' },
  ],
  clientSchema: TickerClientMessageSchema,
  serverSchema: TickerServerMessageSchema,
};
