/**
 * Sends an application ping on `socket` and resolves with the round trip in
 * ms when its pong arrives, or rejects with an Error after `timeoutMs`.
 */
function ping(socket, timeoutMs = 1000) {
  return new Promise((resolve, reject) => {
    const sent = Date.now();
    socket.send(JSON.stringify({ type: 'ping', id: 1, sent }));
    socket.addEventListener('message', () => resolve(Date.now() - sent), { once: true });
  });
}

const ticker = new WebSocket(`${SERVER}/ws/ticker?latencyMs=200`);
await new Promise((resolve) => ticker.addEventListener('open', resolve, { once: true }));
await ping(ticker, 2000);
