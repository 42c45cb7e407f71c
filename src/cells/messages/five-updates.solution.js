// The welcome comes unasked; the subscribed answers the subscribe.
const prediction = { typesBeforeFirstPrice: ['welcome', 'subscribed'] };

const socket = new WebSocket(`${SERVER}/ws/ticker`);
const prices = [];

socket.addEventListener('open', () => {
  socket.send(JSON.stringify({ type: 'subscribe', symbols: ['AAPL', 'SPY'] }));
});

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  // welcome and subscribed arrive too: only price messages are updates.
  if (message.type !== 'price') return;
  prices.push({ symbol: message.symbol, price: message.price });
  if (prices.length === 5) socket.close(1000, 'five is enough');
});
