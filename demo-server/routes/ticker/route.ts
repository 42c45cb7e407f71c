import { socketError } from '../../../src/shared/protocol/errors.ts';
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
  type TickerClientMessage,
  tickerEndpoint,
  type TickerServerMessage,
} from '../../../src/shared/protocol/ticker.ts';
import { DelayLine } from './delay-line.ts';
import { integerParam } from '../../core/query.ts';
import { burstWordedLimits, onJsonMessages, type Reject } from '../../core/json-messages.ts';
import { TickerFeed, type Quote } from './ticker-feed.ts';
import type { Route, RouteFactory } from '../../core/route.ts';

/** Rates are counted on arrival, so a flood cannot pile up timers in the delay line. */
const TICKER_MESSAGE_LIMITS = burstWordedLimits({
  messagesPerSecond: TICKER_MESSAGES_PER_SECOND,
  messageBurst: TICKER_MESSAGE_BURST,
  invalidPerSecond: TICKER_INVALID_PER_SECOND,
  invalidBurst: TICKER_INVALID_BURST,
  binaryDetail: 'send JSON text',
});

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
      return integerParam(handshake.url, TICKER_LATENCY_MS, 0);
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
      /** An unknown symbol is answered with an error, which counts against the invalid-message limit. */
      const reportUnknown = (unknown: readonly string[], reject: Reject) => {
        if (unknown.length > 0) reject(socketError('UNKNOWN_SYMBOL', `${unknown.join(', ')}; known symbols are ${TICKER_SYMBOLS.join(', ')}`));
      };

      const handle = (message: TickerClientMessage, reject: Reject) => {
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
            reportUnknown(unknown, reject);
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
            reportUnknown(unknown, reject);
            return;
          }
          case 'ping':
            reply({ type: 'pong', id: message.id, sent: message.sent, time: Date.now() });
            return;
        }
      };

      reply({ type: 'welcome', symbols: [...TICKER_SYMBOLS], intervalMs: TICKER_INTERVAL_MS, latencyMs: link.delayMs });
      // Every message, and every reply, waits out the link's latency.
      onJsonMessages(connection, { schema: TickerClientMessageSchema, knownTypes: TICKER_CLIENT_TYPES }, TICKER_MESSAGE_LIMITS, handle, {
        defer: (step) => link.run(step),
        sendError: reply,
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
