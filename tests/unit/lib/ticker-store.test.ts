import { describe, expect, it } from 'vitest';
import { parseTickerMessage, TickerStore } from '../../../src/labs/ticker/store.ts';
import { FakeSocket } from '../../helpers/fake-socket.ts';

function setup(symbols: string[] = ['AAPL']) {
  const socket = new FakeSocket();
  let now = 1_000;
  const store = new TickerStore(socket, { symbols, now: () => now });
  const receive = (message: unknown) => socket.emit('message', { data: typeof message === 'string' ? message : JSON.stringify(message) });
  const sent = () => socket.sent.map((data) => JSON.parse(String(data)) as unknown);
  return { socket, store, receive, sent, advance: (ms: number) => (now += ms) };
}

describe('TickerStore', () => {
  it('subscribes to the wanted symbols on every (re)connection', () => {
    const { socket, sent } = setup(['AAPL', 'SPY']);
    socket.emit('open');
    socket.emit('close', { code: 1006, reason: '', wasClean: false });
    socket.emit('open');
    expect(sent()).toEqual([
      { type: 'subscribe', symbols: ['AAPL', 'SPY'] },
      { type: 'subscribe', symbols: ['AAPL', 'SPY'] },
    ]);
  });

  it('toggles a symbol with subscribe and unsubscribe', () => {
    const { socket, store, sent } = setup([]);
    socket.emit('open');
    store.toggle('TSLA');
    expect(store.snapshot.wanted).toEqual(['TSLA']);
    store.toggle('TSLA');
    expect(store.snapshot.wanted).toEqual([]);
    expect(sent()).toEqual([
      { type: 'subscribe', symbols: ['TSLA'] },
      { type: 'unsubscribe', symbols: ['TSLA'] },
    ]);
  });

  it('demultiplexes received messages by type and keeps prices, subscriptions and round trips', () => {
    const { socket, store, receive, advance } = setup();
    socket.emit('open');
    receive({ type: 'welcome', symbols: ['AAPL', 'SPY'], intervalMs: 250, latencyMs: 0 });
    receive({ type: 'subscribed', symbols: ['AAPL'], subscriptions: ['AAPL'], time: 1 });
    receive({ type: 'price', symbol: 'AAPL', price: 190.5, change: 0.5, time: 2 });
    store.ping();
    advance(7);
    receive({ type: 'pong', id: 1, sent: 1_000, time: 3 });
    expect(store.snapshot).toMatchObject({
      knownSymbols: ['AAPL', 'SPY'],
      subscriptions: ['AAPL'],
      quotes: { AAPL: { price: 190.5, change: 0.5, time: 2 } },
      lastRoundTripMs: 7,
      lastReply: 'pong #1: round trip 7 ms',
      received: { welcome: 1, subscribed: 1, price: 1, pong: 1 },
    });
    expect(store.snapshot.log.map((entry) => `${entry.direction} ${entry.type}`)).toEqual([
      'sent subscribe',
      'received welcome',
      'received subscribed',
      'received price',
      'sent ping',
      'received pong',
    ]);
  });

  it('logs messages that fail validation as invalid, with the reason, and does not act on them', () => {
    const { socket, store, receive } = setup();
    socket.emit('open');
    receive('{"type":"price","symbol":"AAPL","price":"cheap"}');
    receive('not json');
    expect(store.snapshot.quotes).toEqual({});
    expect(store.snapshot.received).toEqual({ invalid: 2 });
    expect(store.snapshot.log.slice(-2).map((entry) => [entry.type, entry.problem])).toEqual([
      ['invalid', 'message does not match the protocol: price: Invalid type: Expected number but received "cheap"'],
      ['invalid', expect.stringMatching(/^message is not valid JSON: /)],
    ]);
  });

  it('sends raw text as given and logs the type it claims', () => {
    const { socket, store } = setup([]);
    socket.emit('open');
    store.sendRaw('{"type":"buy"}');
    store.sendRaw('garbage');
    expect(socket.sent).toEqual(['{"type":"buy"}', 'garbage']);
    expect(store.snapshot.log.map((entry) => entry.type)).toEqual(['buy', '(not JSON)']);
  });

  it('shows server errors in words', () => {
    const { socket, store, receive } = setup([]);
    socket.emit('open');
    receive({ type: 'error', error: 'UNKNOWN_SYMBOL', message: 'unknown symbol: ACME; known symbols are AAPL' });
    expect(store.snapshot.lastReply).toBe('error UNKNOWN_SYMBOL: unknown symbol: ACME; known symbols are AAPL');
  });

  it('refuses to send while not connected', () => {
    const { store } = setup();
    expect(store.sendRaw('x')).toBe(false);
    expect(store.snapshot.sendError).toMatch(/^Not connected/);
  });
});

describe('parseTickerMessage', () => {
  it('accepts every documented server message and rejects unknown types', () => {
    expect(parseTickerMessage('{"type":"pong","id":1,"sent":2,"time":3}')).toEqual({ ok: true, message: { type: 'pong', id: 1, sent: 2, time: 3 } });
    expect(parseTickerMessage('{"type":"surprise"}')).toEqual({
      ok: false,
      problem: 'unknown message type: "surprise"; expected one of welcome, subscribed, unsubscribed, price, pong, error',
    });
  });
});
