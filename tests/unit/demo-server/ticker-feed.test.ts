import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../../demo-server/core/connection.ts';
import { createTickerRoute } from '../../../demo-server/routes/ticker/route.ts';
import type { Handshake } from '../../../demo-server/core/route.ts';
import { TickerFeed, type Quote } from '../../../demo-server/routes/ticker/ticker-feed.ts';

/** A Connection with only what the ticker route uses: a socket that emits, onMessage() and send(). */
function fakeConnection(): { connection: Connection; socket: EventEmitter; sent: string[] } {
  const socket = new EventEmitter();
  const sent: string[] = [];
  const connection = {
    socket,
    isOpen: true,
    send(data: string) {
      sent.push(data);
      return true;
    },
    fail() {
      throw new Error('unexpected fail()');
    },
    onMessage(handler: (data: Buffer, isBinary: boolean, self: unknown) => void) {
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        handler(data, isBinary, connection);
      });
    },
  };
  return { connection: connection as unknown as Connection, socket, sent };
}

const handshake = { url: new URL('http://localhost/ws/ticker'), params: {}, responseLines: [] } as unknown as Handshake;
const message = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('TickerFeed', () => {
  it('runs its timer only while someone listens', () => {
    const feed = new TickerFeed();
    expect(feed.running).toBe(false);
    const stopFirst = feed.listen(() => undefined);
    const stopSecond = feed.listen(() => undefined);
    expect(feed.running).toBe(true);
    stopFirst();
    expect(feed.running).toBe(true);
    stopSecond();
    expect(feed.running).toBe(false);
  });

  it('walks prices in cents and reports each change to every listener', async () => {
    const feed = new TickerFeed({ intervalMs: 10, changeProbability: 1, volatility: 0.01 });
    const seen: [Quote[], Quote[]] = [[], []];
    const stops = seen.map((quotes) => feed.listen((quote) => quotes.push(quote)));
    await expect.poll(() => seen[0].length).toBeGreaterThan(20);
    for (const stop of stops) stop();
    expect(seen[1].slice(0, 20)).toEqual(seen[0].slice(0, 20));
    for (const quote of seen[0]) {
      expect(Math.round(quote.price * 100) / 100).toBe(quote.price);
      expect(quote.change).not.toBe(0);
    }
    expect(feed.current('AAPL')?.price).toBe(seen[0].findLast((quote) => quote.symbol === 'AAPL')?.price ?? 190);
    expect(feed.current('NOPE')).toBeNull();
  });

  it('stop() drops the listeners and the timer', () => {
    const feed = new TickerFeed();
    feed.listen(() => undefined);
    feed.stop();
    expect(feed.running).toBe(false);
  });

  it('rejects nonsense options', () => {
    expect(() => new TickerFeed({ intervalMs: 0 })).toThrow('TickerFeed needs intervalMs >= 10');
  });
});

describe('createTickerRoute', () => {
  it('starts the shared feed with the first subscription and stops it when the last one goes', () => {
    const feed = new TickerFeed();
    const route = createTickerRoute(feed);
    const first = fakeConnection();
    const second = fakeConnection();
    route.open(first.connection, handshake, 0);
    route.open(second.connection, handshake, 0);
    expect(feed.running).toBe(false);
    first.socket.emit('message', message({ type: 'subscribe', symbols: ['AAPL'] }), false);
    second.socket.emit('message', message({ type: 'subscribe', symbols: ['AAPL', 'SPY'] }), false);
    expect(feed.running).toBe(true);
    first.socket.emit('message', message({ type: 'unsubscribe', symbols: ['AAPL'] }), false);
    expect(feed.running).toBe(true);
    second.socket.emit('close');
    expect(feed.running).toBe(false);
    expect(second.sent.map((json) => (JSON.parse(json) as { type: string }).type)).toEqual(['welcome', 'subscribed', 'price', 'price']);
  });

  it('stops the feed on dispose()', () => {
    const feed = new TickerFeed();
    const route = createTickerRoute(feed);
    const client = fakeConnection();
    route.open(client.connection, handshake, 0);
    client.socket.emit('message', message({ type: 'subscribe', symbols: ['TSLA'] }), false);
    expect(feed.running).toBe(true);
    route.dispose?.();
    expect(feed.running).toBe(false);
  });
});
