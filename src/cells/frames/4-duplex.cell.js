// The ticker over a simulated long link: every message waits 400 ms each way.
const ticker = new WebSocket(`${SERVER}/ws/ticker?latencyMs=400`);
const started = performance.now();
const at = () => `${Math.round(performance.now() - started)} ms`;

ticker.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'price') console.log(`${at()}  ↓ ${message.symbol} ${message.price}`);
  if (message.type === 'pong') console.log(`${at()}  ↓ pong ${message.id}, to the ping sent at ${message.sent} ms`);
});
await new Promise((resolve) => ticker.addEventListener('open', resolve, { once: true }));
ticker.send(JSON.stringify({ type: 'subscribe', symbols: ['BTC-USD', 'SPY'] }));

// Once prices are coming down, send three pings up, 200 ms apart, without waiting for any answer.
await sleep(1200);
for (const id of [1, 2, 3]) {
  console.log(`${at()}  ↑ ping ${id}`);
  // The pong returns `sent` unchanged; here it is ms since the socket was created.
  ticker.send(JSON.stringify({ type: 'ping', id, sent: Math.round(performance.now() - started) }));
  await sleep(200);
}
await sleep(1000);
ticker.close(1000, 'seen enough');
