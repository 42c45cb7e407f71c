let lastPingId = 0;

/**
 * Sends an application ping on `socket` and resolves with the round trip in
 * ms when its pong arrives, or rejects with an Error after `timeoutMs`.
 */
function ping(socket, timeoutMs = 1000) {
  return new Promise((resolve, reject) => {
    const id = ++lastPingId;
    const sent = Date.now();
    const onMessage = (event) => {
      if (typeof event.data !== 'string') return;
      const message = JSON.parse(event.data);
      if (message.type !== 'pong' || message.id !== id) return; // prices, and other pings' pongs
      finish();
      resolve(Date.now() - sent);
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out: no pong to ping ${id} within ${timeoutMs} ms`));
    }, timeoutMs);
    // Whichever comes first, the pong or the timeout, stops the other.
    const finish = () => {
      clearTimeout(timer);
      socket.removeEventListener('message', onMessage);
    };
    socket.addEventListener('message', onMessage);
    socket.send(JSON.stringify({ type: 'ping', id, sent }));
  });
}

const ticker = new WebSocket(`${SERVER}/ws/ticker?latencyMs=200`);
await new Promise((resolve) => ticker.addEventListener('open', resolve, { once: true }));
await ping(ticker, 2000);
