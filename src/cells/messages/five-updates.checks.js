const socket = lastSocket();
const parsed = (list) =>
  list.flatMap((data) => {
    try {
      return [JSON.parse(data)];
    } catch {
      return [];
    }
  });

await check('connects to /ws/ticker', () => {
  expectEqual(new URL(socket.url).pathname, '/ws/ticker', 'the path');
});

await check('subscribes to AAPL and SPY', async () => {
  // The welcome comes right after the open, so a subscribe sent on open (or on the
  // welcome) is out once the welcome is in; a moment's grace covers code that sends
  // just after. No need to wait out a long timeout.
  await waitFor(() => socket.received.length > 0 || socket.close, 'the server to answer your connection', 5000);
  const first = socket.sent[0] ?? (await within(1000, () => socket.sent[0]));
  if (first === null || first === undefined) fail(socket.close === null ? 'expected your code to send a subscribe message when the socket opens, but it sent nothing' : `the socket closed with ${socket.close.code} before your code sent a subscribe message`);
  const [subscribe] = parsed([first]);
  if (subscribe === undefined) fail(`expected JSON, got ${JSON.stringify(first)}: the protocol table says what a subscribe looks like`);
  expectEqual(subscribe.type, 'subscribe', 'the type of your first message');
  expectEqual([...(subscribe.symbols ?? [])].sort(), ['AAPL', 'SPY'], 'the symbols');
});

await check('keeps the first 5 price updates as {symbol, price} in `prices`', async () => {
  expectTrue(socket.sent.length > 0, 'your code subscribed to nothing, so no prices came: fix the check above first');
  const prices = variable('prices');
  expectTrue(Array.isArray(prices), `expected prices to be an array, got ${typeof prices}`);
  // AAPL and SPY change about five times a second between them.
  await waitFor(() => prices.length >= 5 || socket.close !== null, 'five entries in `prices`', 8000);
  await sleep(300); // time for a sixth, if the code does not stop
  const updates = parsed(socket.received).filter((message) => message.type === 'price');
  prices.forEach((entry, index) => {
    if (index >= 5) return;
    const expected = updates[index];
    if (entry?.price === undefined && entry?.type !== undefined) fail(`prices[${index}] is a {type: "${entry.type}"} message: only messages with type "price" are price updates`);
    const got = { symbol: entry?.symbol, price: entry?.price };
    const want = { symbol: expected?.symbol, price: expected?.price };
    if (got.symbol !== want.symbol || got.price !== want.price || Object.keys(entry ?? {}).length !== 2) {
      fail(`expected prices[${index}] to be ${JSON.stringify(want)}, the ${['first', 'second', 'third', 'fourth', 'fifth'][index]} price you received, got ${JSON.stringify(entry)}`);
    }
  });
  if (prices.length > 5) fail(`expected 5 prices, got ${prices.length}: stop after the fifth`);
  expectEqual(prices.length, 5, 'the number of prices');
});

await check('stops after the fifth: closes with 1000', async () => {
  expectTrue(variable('prices').length >= 5 || socket.close !== null, 'fewer than 5 prices came in, and the socket is still open: close it with 1000 after the fifth');
  const close = await waitFor(() => socket.close, 'the socket to close', 3000);
  expectEqual(close.code, 1000, 'the close code');
});

await check('your prediction matches what arrived before the first price', () => {
  const prediction = variable('prediction');
  const predicted = prediction?.typesBeforeFirstPrice;
  if (!Array.isArray(predicted)) fail('commit to a prediction first: set prediction.typesBeforeFirstPrice to an array of type names');
  const types = parsed(socket.received).map((message) => message.type);
  const first = types.indexOf('price');
  if (first === -1) fail('no price arrived, so there is nothing to compare: fix the checks above first');
  const before = types.slice(0, first);
  if (JSON.stringify(predicted) !== JSON.stringify(before)) {
    fail(`you predicted ${JSON.stringify(predicted)}; before the first price came ${JSON.stringify(before)}`);
  }
});
