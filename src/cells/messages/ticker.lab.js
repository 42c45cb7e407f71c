const socket = new WebSocket(`${SERVER}/ws/ticker`);
socket.addEventListener('open', () => {
  // Every new connection starts empty: subscribe again to what the reader wants.
  socket.send(JSON.stringify({ type: 'subscribe', symbols: wanted }));
});
socket.addEventListener('message', (event) => {
  const message = parse(event.data);          // JSON.parse, then check it against the protocol
  if (message === null) return logInvalid(event.data);
  switch (message.type) {                     // demultiplex on the type field
    case 'price': showPrice(message.symbol, message.price, message.change); break;
    case 'pong': showRoundTrip(Date.now() - message.sent); break;
    case 'subscribed': case 'unsubscribed': showSubscriptions(message.subscriptions); break;
    case 'error': showError(message.error, message.message); break;
  }
});
