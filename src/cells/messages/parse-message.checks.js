/** parseMessage(raw), or a failure naming what it threw. */
const parse = (raw) => {
  try {
    return parseMessage(raw);
  } catch (error) {
    return fail(`parseMessage(${JSON.stringify(raw)}) threw ${error}: return null instead, so one bad message cannot stop the client`);
  }
};
const expectValid = (raw) => expectEqual(parse(raw), JSON.parse(raw), `parseMessage(${JSON.stringify(raw)}) to return the message,`);
const expectNull = (raw, why) => {
  const result = parse(raw);
  if (result !== null) fail(`expected parseMessage(${JSON.stringify(raw)}) to be null (${why}), got ${JSON.stringify(result) ?? 'undefined'}`);
};

await check('defines parseMessage(raw)', () => {
  const value = variable('parseMessage');
  expectTrue(typeof value === 'function', `expected parseMessage to be a function, got ${typeof value}`);
});

await check('returns every kind of server message, parsed', () => {
  expectValid('{"type":"welcome","symbols":["AAPL","SPY"],"intervalMs":250,"latencyMs":0}');
  expectValid('{"type":"subscribed","symbols":["AAPL"],"subscriptions":["AAPL","SPY"],"time":1700000000003}');
  expectValid('{"type":"unsubscribed","symbols":["SPY"],"subscriptions":[],"time":1700000000004}');
  expectValid('{"type":"price","symbol":"AAPL","price":190.12,"change":-0.05,"time":1700000000250}');
  expectValid('{"type":"pong","id":7,"sent":1700000001000,"time":1700000001004}');
  expectValid('{"type":"error","error":"UNKNOWN_SYMBOL","message":"unknown symbol: ACME"}');
});

await check('returns null for text that is not JSON, without throwing', () => {
  expectNull('not json', 'it is not JSON');
  expectNull('{"type":"price",', 'the JSON is cut off');
});

await check('returns null for JSON that is not an object with a known type', () => {
  expectNull('[]', 'an array is not a message');
  expectNull('null', 'null is not a message');
  expectNull('42', 'a number is not a message');
  expectNull('{"symbol":"AAPL","price":1}', 'it has no type');
  expectNull('{"type":"surprise"}', '"surprise" is not a type of this protocol');
  expectNull('{"type":"toString"}', '"toString" is not a type of this protocol, even if every object has a toString');
});

await check('returns null when a field is missing or of the wrong type', () => {
  expectNull('{"type":"price","symbol":"AAPL","price":"190.12","change":0.05,"time":1700000000250}', 'price is a string');
  expectNull('{"type":"price","price":190.12,"change":0.05,"time":1700000000250}', 'symbol is missing');
  expectNull('{"type":"subscribed","symbols":"AAPL","subscriptions":["AAPL"],"time":1}', 'symbols is not an array');
  expectNull('{"type":"subscribed","symbols":["AAPL"],"subscriptions":["AAPL",7],"time":1}', 'subscriptions holds a number');
  expectNull('{"type":"pong","id":"7","sent":1700000001000,"time":1700000001004}', 'id is a string');
  expectNull('{"type":"error","error":"UNKNOWN_SYMBOL"}', 'message is missing');
});

await check('accepts fields it does not know, so the server can add them', () => {
  expectValid('{"type":"price","symbol":"AAPL","price":190.12,"change":0.05,"time":1700000000250,"exchange":"NASDAQ"}');
});

await check('accepts everything the live ticker sends', async () => {
  const ticker = new WebSocket(`${SERVER}/ws/ticker`);
  const received = [];
  ticker.addEventListener('message', (event) => received.push(event.data));
  await waitFor(() => ticker.readyState === WebSocket.OPEN, 'the checker to connect to the ticker', 5000);
  ticker.send(JSON.stringify({ type: 'subscribe', symbols: ['AAPL', 'ACME'] }));
  ticker.send(JSON.stringify({ type: 'ping', id: 1, sent: Date.now() }));
  ticker.send(JSON.stringify({ type: 'unsubscribe', symbols: ['AAPL'] }));
  // welcome, subscribed, a price, an error about ACME, a pong, unsubscribed
  await waitFor(() => received.some((data) => data.includes('"unsubscribed"')), 'the ticker to answer', 5000);
  ticker.close(1000, 'checked');
  for (const raw of received) {
    if (parse(raw) === null) fail(`expected parseMessage to accept this message from the ticker, got null: ${raw}`);
  }
});
