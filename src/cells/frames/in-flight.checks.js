const socket = lastSocket();
const parsed = (list) => list.flatMap((data) => {
  try {
    return [JSON.parse(data)];
  } catch {
    return [];
  }
});

await check('connects to /ws/ticker with latencyMs=300', () => {
  const url = new URL(socket.url);
  expectEqual(url.pathname, '/ws/ticker', 'the path');
  expectEqual(url.searchParams.get('latencyMs'), '300', 'latencyMs');
});

await check('subscribes to SPY and BTC-USD', async () => {
  const first = await waitFor(() => socket.sent[0], 'a subscribe message', 5000);
  const subscribe = parsed([first])[0];
  expectEqual(subscribe?.type, 'subscribe', 'the type of your first message');
  expectEqual([...(subscribe.symbols ?? [])].sort(), ['BTC-USD', 'SPY'], 'the symbols');
});

await check('sends one ping, {type: "ping", id: 1, sent}, once prices arrive', async () => {
  // The first prices come 600 ms after the subscribe: 300 ms up, 300 ms down.
  await waitFor(() => parsed(socket.received).some((message) => message.type === 'price'), 'the first price', 5000);
  const pings = await waitFor(
    () => {
      const found = parsed(socket.sent).filter((message) => message.type === 'ping');
      return found.length > 0 ? found : null;
    },
    'a ping to be sent after the first price',
    // The ping goes out on the first price, which has arrived: a moment's grace is enough.
    1000,
  );
  expectEqual(pings.length, 1, 'the number of pings sent');
  expectEqual(pings[0].id, 1, 'the ping id');
  expectTrue(typeof pings[0].sent === 'number', `expected sent to be a number (Date.now()), got ${JSON.stringify(pings[0].sent)}`);
});

await check('`crossed` counts the prices that arrived after the ping left, before its pong', async () => {
  expectTrue(parsed(socket.sent).some((message) => message.type === 'ping'), 'no ping was sent, so nothing can cross it: fix the check above first');
  await waitFor(() => parsed(socket.received).some((message) => message.type === 'pong'), 'the pong', 5000);
  const received = parsed(socket.received);
  const firstPrice = received.findIndex((message) => message.type === 'price');
  const pong = received.findIndex((message) => message.type === 'pong');
  const between = received.slice(firstPrice + 1, pong).filter((message) => message.type === 'price').length;
  const crossed = variable('crossed');
  if (crossed === between + 1) fail(`expected crossed ${between}, got ${crossed}: the first price, which sent the ping, arrived before the ping left; do not count it`);
  expectEqual(crossed, between, 'crossed (the prices received after the first one and before the pong)');
});

await check('closes with 1000 once the pong is in', async () => {
  expectTrue(parsed(socket.received).some((message) => message.type === 'pong') || socket.close !== null, 'no pong came, and the socket is still open: close it with 1000 when the pong arrives');
  const close = await waitFor(() => socket.close, 'the socket to close', 3000);
  expectEqual(close.code, 1000, 'the close code');
});
