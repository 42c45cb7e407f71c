const ticker = new WebSocket(`${SERVER}/ws/ticker`);

/** One line per message: the switch on `type` that every client of this protocol has somewhere. */
function describeMessage(message) {
  switch (message.type) {
    case 'welcome':
      return `welcome: ${message.symbols.length} symbols, a price may change every ${message.intervalMs} ms`;
    case 'subscribed':
    case 'unsubscribed':
      return `${message.type} ${message.symbols.join(', ')}; now subscribed to: ${message.subscriptions.join(', ') || 'nothing'}`;
    case 'price':
      return `${message.symbol} ${message.price.toFixed(2)} (${message.change >= 0 ? '+' : ''}${message.change.toFixed(2)})`;
    case 'pong':
      return `pong ${message.id}`;
    case 'error':
      return `error ${message.error}: ${message.message}`;
    default:
      return `a type this client does not know (${message.type}): ignored`;
  }
}

/** Resolves with the next `count` messages from the ticker, parsed. */
function nextMessages(count) {
  return new Promise((resolve) => {
    const messages = [];
    ticker.addEventListener('message', function collect(event) {
      messages.push(JSON.parse(event.data));
      if (messages.length < count) return;
      ticker.removeEventListener('message', collect);
      resolve(messages);
    });
  });
}

const firstSix = nextMessages(6);
await new Promise((resolve) => ticker.addEventListener('open', resolve, { once: true }));
ticker.send(JSON.stringify({ type: 'subscribe', symbols: ['AAPL'] }));
for (const message of await firstSix) console.log(describeMessage(message));

// Enough prices: the cells below use this socket quietly.
ticker.send(JSON.stringify({ type: 'unsubscribe', symbols: ['AAPL'] }));
