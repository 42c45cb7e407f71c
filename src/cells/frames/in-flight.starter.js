const socket = new WebSocket(`${SERVER}/ws/ticker?latencyMs=300`);
let crossed = 0;

socket.addEventListener('open', () => {
  socket.send(JSON.stringify({ type: 'subscribe', symbols: ['SPY', 'BTC-USD'] }));
});

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  // 1. When the first price arrives, send one ping: {type: 'ping', id: 1, sent: Date.now()}.
  // 2. Count in `crossed` the prices that arrive after that, until the pong.
  // 3. When the pong arrives, close the socket with 1000.
});
