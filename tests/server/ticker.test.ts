import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { TICKER_SYMBOLS, type TickerServerMessage } from '../../src/shared/protocol/ticker.ts';
import { closed, refusedHandshake, startServer, type RunningServer } from '../helpers/demo-server.ts';

/** A ws client on /ws/ticker that records every message from before it opens. */
function tickerClient(url: string): { socket: WebSocket; messages: TickerServerMessage[]; send(value: unknown): void } {
  const socket = new WebSocket(url);
  const messages: TickerServerMessage[] = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as TickerServerMessage));
  return {
    socket,
    messages,
    send(value) {
      socket.send(typeof value === 'string' ? value : JSON.stringify(value));
    },
  };
}

const ofType = <T extends TickerServerMessage['type']>(messages: readonly TickerServerMessage[], type: T) =>
  messages.filter((message): message is Extract<TickerServerMessage, { type: T }> => message.type === type);

describe('/ws/ticker', () => {
  let running: RunningServer;
  beforeEach(async () => {
    running = await startServer();
  });
  afterEach(async () => {
    await running.close();
  });

  it('greets with the known symbols, then streams price changes of the subscribed symbols only', async () => {
    const client = tickerClient(`${running.wsUrl}/ws/ticker`);
    await expect.poll(() => client.messages[0]).toEqual({ type: 'welcome', symbols: [...TICKER_SYMBOLS], intervalMs: 250, latencyMs: 0 });
    client.send({ type: 'subscribe', symbols: ['AAPL', 'spy'] });
    await expect.poll(() => ofType(client.messages, 'subscribed')[0]).toMatchObject({ symbols: ['AAPL', 'SPY'], subscriptions: ['AAPL', 'SPY'] });
    expect(client.messages.slice(2, 4).map((message) => message.type === 'price' && [message.symbol, message.change])).toEqual([
      ['AAPL', 0],
      ['SPY', 0],
    ]);
    await expect.poll(() => ofType(client.messages, 'price').filter((price) => price.change !== 0).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const prices = ofType(client.messages, 'price');
    expect(new Set(prices.map((price) => price.symbol))).toEqual(new Set(['AAPL', 'SPY']));
    for (const price of prices) expect(Number.isInteger(Math.round(price.price * 100))).toBe(true);
    client.socket.close();
  });

  it('names unknown symbols in an error, subscribes the known ones, and stays open', async () => {
    const client = tickerClient(`${running.wsUrl}/ws/ticker`);
    client.socket.once('open', () => client.send({ type: 'subscribe', symbols: ['AAPL', 'FOO', 'bar'] }));
    await expect.poll(() => ofType(client.messages, 'error')[0]).toEqual({
      type: 'error',
      error: 'UNKNOWN_SYMBOL',
      message: 'unknown symbol: FOO, BAR; known symbols are AAPL, SPY, MSFT, GOOG, AMZN, TSLA, NVDA, BTC-USD',
    });
    expect(ofType(client.messages, 'subscribed')[0]).toMatchObject({ symbols: ['AAPL'], subscriptions: ['AAPL'] });
    client.send({ type: 'ping', id: 7, sent: 123.5 });
    await expect.poll(() => ofType(client.messages, 'pong')[0]).toMatchObject({ type: 'pong', id: 7, sent: 123.5 });
    client.socket.close();
  });

  it('answers application pings with the same id and sent, and its own time', async () => {
    const client = tickerClient(`${running.wsUrl}/ws/ticker`);
    const before = Date.now();
    client.socket.once('open', () => client.send({ type: 'ping', id: 1, sent: before }));
    await expect.poll(() => ofType(client.messages, 'pong').length).toBe(1);
    const [pong] = ofType(client.messages, 'pong');
    expect(pong).toMatchObject({ id: 1, sent: before });
    expect(pong?.time).toBeGreaterThanOrEqual(before);
    client.socket.close();
  });

  it('stops sending a symbol after unsubscribe', async () => {
    const client = tickerClient(`${running.wsUrl}/ws/ticker`);
    client.socket.once('open', () => client.send({ type: 'subscribe', symbols: [...TICKER_SYMBOLS] }));
    await expect.poll(() => ofType(client.messages, 'price').length, { timeout: 10_000 }).toBeGreaterThan(10);
    client.send({ type: 'unsubscribe', symbols: ['AAPL', 'SPY', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA'] });
    await expect.poll(() => ofType(client.messages, 'unsubscribed')[0]).toMatchObject({ subscriptions: ['BTC-USD'] });
    const cut = client.messages.findIndex((message) => message.type === 'unsubscribed');
    await expect.poll(() => ofType(client.messages.slice(cut), 'price').length, { timeout: 10_000 }).toBeGreaterThan(3);
    expect(new Set(ofType(client.messages.slice(cut), 'price').map((price) => price.symbol))).toEqual(new Set(['BTC-USD']));
    client.socket.close();
  });

  it('sends every subscriber the same prices from one shared feed', async () => {
    const first = tickerClient(`${running.wsUrl}/ws/ticker`);
    const second = tickerClient(`${running.wsUrl}/ws/ticker`);
    for (const client of [first, second]) client.socket.once('open', () => client.send({ type: 'subscribe', symbols: ['BTC-USD'] }));
    await expect.poll(() => ofType(second.messages, 'price').filter((price) => price.change !== 0).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const changes = (client: typeof first) => ofType(client.messages, 'price').filter((price) => price.change !== 0);
    const shared = changes(second)[1];
    await expect.poll(() => changes(first).find((price) => price.time === shared?.time)).toEqual(shared);
    first.socket.close();
    second.socket.close();
  });

  it('names each kind of bad input and keeps the connection open', async () => {
    const client = tickerClient(`${running.wsUrl}/ws/ticker`);
    await new Promise((resolve) => client.socket.once('open', resolve));
    client.send('{"type": "subscribe", ');
    client.send({ type: 'hello' });
    client.send({ type: 'subscribe', symbols: 'AAPL' });
    client.send({ type: 'subscribe', symbols: [] });
    client.socket.send(Buffer.from([1, 2, 3]));
    await expect.poll(() => ofType(client.messages, 'error').length).toBe(5);
    expect(ofType(client.messages, 'error').map((error) => [error.error, error.message])).toEqual([
      ['INVALID_JSON', expect.stringMatching(/^message is not valid JSON: /)],
      ['UNKNOWN_TYPE', 'unknown message type: "hello"; expected one of subscribe, unsubscribe, ping'],
      ['INVALID_MESSAGE', 'message does not match the protocol: symbols: Invalid type: Expected Array but received "AAPL"'],
      ['INVALID_MESSAGE', 'message does not match the protocol: symbols: list at least one symbol'],
      ['BINARY_NOT_ACCEPTED', 'this endpoint accepts text messages only: send JSON text'],
    ]);
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    client.socket.close();
  });

  it('closes with 1008 after more than 5 invalid messages in a burst', async () => {
    const client = tickerClient(`${running.wsUrl}/ws/ticker`);
    await new Promise((resolve) => client.socket.once('open', resolve));
    const closing = closed(client.socket);
    for (let index = 0; index < 6; index++) client.send('garbage');
    expect(await closing).toEqual({ code: 1008, reason: 'too many invalid messages: over 5 invalid messages in a burst' });
  });

  it('closes with 1008 when a client floods it with messages', async () => {
    const client = tickerClient(`${running.wsUrl}/ws/ticker`);
    await new Promise((resolve) => client.socket.once('open', resolve));
    const closing = closed(client.socket);
    for (let index = 0; index < 60; index++) client.send({ type: 'ping', id: index, sent: 0 });
    expect(await closing).toEqual({ code: 1008, reason: 'too many messages: over 40 messages in a burst' });
  });

  it('holds every message each way for ?latencyMs=', async () => {
    const client = tickerClient(`${running.wsUrl}/ws/ticker?latencyMs=300`);
    await expect.poll(() => client.messages[0]).toMatchObject({ type: 'welcome', latencyMs: 300 });
    const sent = performance.now();
    const sentWall = Date.now();
    let answeredAfterMs = 0;
    client.socket.on('message', () => {
      answeredAfterMs = performance.now() - sent;
    });
    client.send({ type: 'ping', id: 1, sent: sentWall });
    await expect.poll(() => ofType(client.messages, 'pong').length).toBe(1);
    // The ping waits 300 ms on the way in and the pong 300 ms on the way out.
    expect(answeredAfterMs).toBeGreaterThanOrEqual(590);
    expect(ofType(client.messages, 'pong')[0]?.time).toBeGreaterThanOrEqual(sentWall + 295);
    client.socket.close();
  });

  it('refuses a latencyMs out of range with HTTP 400', async () => {
    expect(await refusedHandshake(`${running.wsUrl}/ws/ticker?latencyMs=5000`)).toEqual({
      status: 400,
      body: 'latencyMs must be a whole number from 0 to 2000, got "5000"\n',
    });
  });
});
