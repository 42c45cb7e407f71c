// Predict before you run: which message types will arrive, in order,
// before the first price? An array of type names, e.g. ['a', 'b'].
const prediction = { typesBeforeFirstPrice: null };

const socket = new WebSocket(`${SERVER}/ws/ticker`);
const prices = [];

socket.addEventListener('open', () => {
  // 1. Subscribe to AAPL and SPY (see the protocol table).
});

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  // 2. Keep the first 5 price updates as { symbol, price } in `prices`.
  // 3. Then close the socket with code 1000.
});
