import { socketError, type ErrorMessage } from '../../../src/shared/protocol/errors.ts';
import { parseClientMessage } from '../../../src/shared/protocol/parse.ts';
import {
  TICKER_CLIENT_TYPES,
  TICKER_INTERVAL_MS,
  TICKER_INVALID_BURST,
  TICKER_INVALID_PER_SECOND,
  TICKER_LATENCY_MS,
  TICKER_MESSAGE_BURST,
  TICKER_MESSAGES_PER_SECOND,
  TICKER_SYMBOLS,
  TickerClientMessageSchema,
  tickerEndpoint,
  type TickerServerMessage,
} from '../../../src/shared/protocol/ticker.ts';
import { DelayLine } from './delay-line.ts';
import { integerParam } from '../../core/query.ts';
import { TokenBucket } from '../../../src/shared/token-bucket.ts';
import { TickerFeed, type Quote } from './ticker-feed.ts';
import type { Route, RouteFactory } from '../../core/route.ts';

/** One connection's end of the fan-out: takes a serialised message. */
interface Subscriber {
  deliver(json: string): void;
}

/** Splits requested symbols (case-insensitive) into known ones, in the feed's order, and unknown ones. */
function sortSymbols(requested: readonly string[]): { known: string[]; unknown: string[] } {
  const upper = new Set(requested.map((symbol) => symbol.toUpperCase()));
  const known = TICKER_SYMBOLS.filter((symbol) => upper.has(symbol));
  const unknown = [...upper].filter((symbol) => !(TICKER_SYMBOLS as readonly string[]).includes(symbol));
  return { known, unknown };
}

/**
 * `/ws/ticker`: subscribers receive price changes from one shared feed.
 * Each quote is serialised once and fanned out to the symbol's subscribers;
 * the feed's timer runs only while at least one symbol is subscribed.
 * `?latencyMs=` holds every message each way, to make a long link visible.
 */
export const tickerRoute: RouteFactory<number> = {
  doc: tickerEndpoint,
  create: () => createTickerRoute(new TickerFeed({ intervalMs: TICKER_INTERVAL_MS })),
};

/** The ticker route over a given feed (tests pass one they can watch). */
export function createTickerRoute(feed: TickerFeed): Route<number> {
  const subscribersBySymbol = new Map<string, Set<Subscriber>>();
  let subscriptionCount = 0;
  let stopListening: (() => void) | null = null;

  function onQuote(quote: Quote): void {
    const subscribers = subscribersBySymbol.get(quote.symbol);
    if (subscribers === undefined || subscribers.size === 0) return;
    const json = JSON.stringify({ type: 'price', ...quote } satisfies TickerServerMessage);
    for (const subscriber of subscribers) subscriber.deliver(json);
  }

  function subscribe(symbol: string, subscriber: Subscriber): void {
    const subscribers = subscribersBySymbol.get(symbol) ?? new Set();
    subscribersBySymbol.set(symbol, subscribers);
    if (subscribers.has(subscriber)) return;
    subscribers.add(subscriber);
    subscriptionCount += 1;
    stopListening ??= feed.listen(onQuote);
  }

  function unsubscribe(symbol: string, subscriber: Subscriber): void {
    if (subscribersBySymbol.get(symbol)?.delete(subscriber) !== true) return;
    subscriptionCount -= 1;
    if (subscriptionCount === 0) {
      stopListening?.();
      stopListening = null;
    }
  }

  return {
    check(handshake) {
      return integerParam(handshake.url, 'latencyMs', TICKER_LATENCY_MS.min, TICKER_LATENCY_MS.max, 0);
    },
    open(connection, _handshake, latencyMs) {
      const link = new DelayLine(latencyMs);
      const subscriptions = new Set<string>();
      const subscriber: Subscriber = {
        deliver(json) {
          link.run(() => connection.send(json, false));
        },
      };
      const reply = (message: TickerServerMessage) => subscriber.deliver(JSON.stringify(message));
      const current = () => TICKER_SYMBOLS.filter((symbol) => subscriptions.has(symbol));
      const invalid = new TokenBucket(TICKER_INVALID_PER_SECOND, TICKER_INVALID_BURST);
      const messages = new TokenBucket(TICKER_MESSAGES_PER_SECOND, TICKER_MESSAGE_BURST);

      /** Every message answered with an error counts against the invalid-message limit. */
      const replyError = (error: ErrorMessage) => {
        if (invalid.take()) reply(error);
        else connection.fail('TOO_MANY_ERRORS', `over ${String(TICKER_INVALID_BURST)} invalid messages in a burst`);
      };
      const reportUnknown = (unknown: readonly string[]) => {
        if (unknown.length > 0) replyError(socketError('UNKNOWN_SYMBOL', `${unknown.join(', ')}; known symbols are ${TICKER_SYMBOLS.join(', ')}`));
      };

      const handle = (data: Buffer, isBinary: boolean) => {
        if (!connection.isOpen) return;
        if (isBinary) {
          replyError(socketError('BINARY_NOT_ACCEPTED', 'send JSON text'));
          return;
        }
        const parsed = parseClientMessage(TickerClientMessageSchema, TICKER_CLIENT_TYPES, data.toString());
        if (!parsed.ok) {
          replyError(parsed.error);
          return;
        }
        const message = parsed.value;
        switch (message.type) {
          case 'subscribe': {
            const { known, unknown } = sortSymbols(message.symbols);
            const added = known.filter((symbol) => !subscriptions.has(symbol));
            for (const symbol of added) {
              subscriptions.add(symbol);
              subscribe(symbol, subscriber);
            }
            if (known.length > 0) reply({ type: 'subscribed', symbols: added, subscriptions: current(), time: Date.now() });
            for (const symbol of added) {
              const quote = feed.current(symbol);
              if (quote !== null) reply({ type: 'price', ...quote });
            }
            reportUnknown(unknown);
            return;
          }
          case 'unsubscribe': {
            const { known, unknown } = sortSymbols(message.symbols);
            const removed = known.filter((symbol) => subscriptions.has(symbol));
            for (const symbol of removed) {
              subscriptions.delete(symbol);
              unsubscribe(symbol, subscriber);
            }
            if (known.length > 0) reply({ type: 'unsubscribed', symbols: removed, subscriptions: current(), time: Date.now() });
            reportUnknown(unknown);
            return;
          }
          case 'ping':
            reply({ type: 'pong', id: message.id, sent: message.sent, time: Date.now() });
            return;
        }
      };

      reply({ type: 'welcome', symbols: [...TICKER_SYMBOLS], intervalMs: TICKER_INTERVAL_MS, latencyMs: link.delayMs });
      connection.onMessage((data: Buffer, isBinary: boolean) => {
        // Counted on arrival, so a flood cannot pile up timers in the delay line.
        if (!messages.take()) {
          connection.fail('RATE_LIMITED', `over ${String(TICKER_MESSAGE_BURST)} messages in a burst`);
          return;
        }
        link.run(() => handle(data, isBinary));
      });
      connection.socket.on('close', () => {
        link.clear();
        for (const symbol of subscriptions) unsubscribe(symbol, subscriber);
        subscriptions.clear();
      });
    },
    dispose() {
      stopListening?.();
      stopListening = null;
      feed.stop();
      subscribersBySymbol.clear();
      subscriptionCount = 0;
    },
  };
}
