const socket = new WebSocket(`${SERVER}/ws/ticker?latencyMs=300`);
let crossed = 0;

socket.addEventListener('open', () => {
  socket.send(JSON.stringify({ type: 'subscribe', symbols: ['SPY', 'BTC-USD'] }));
});

let state = 'waiting for a price';
socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (state === 'waiting for a price' && message.type === 'price') {
    socket.send(JSON.stringify({ type: 'ping', id: 1, sent: Date.now() }));
    state = 'ping in flight';
  } else if (state === 'ping in flight' && message.type === 'price') {
    crossed += 1;
  } else if (state === 'ping in flight' && message.type === 'pong') {
    state = 'done';
    socket.close(1000, 'pong received');
    display(`${crossed} prices crossed the ping; round trip ${Date.now() - message.sent} ms`);
  }
});
