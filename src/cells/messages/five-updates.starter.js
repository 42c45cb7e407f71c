const socket = new WebSocket(`${SERVER}/ws/ticker`);
const prices = [];

socket.addEventListener('open', () => {
  // 1. Subscribe to AAPL and SPY.
});

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  // 2. Keep the first 5 price updates as { symbol, price } in `prices`.
  // 3. Then close the socket with code 1000.
});
