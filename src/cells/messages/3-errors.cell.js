/** Resolves with the ticker's next error, as a line, or with its close if the server closes instead. */
function nextError() {
  return new Promise((resolve) => {
    ticker.addEventListener('message', function watch(event) {
      const message = JSON.parse(event.data);
      if (message.type !== 'error') return;
      ticker.removeEventListener('message', watch);
      resolve(`${message.error}: ${message.message}`);
    });
    ticker.addEventListener('close', (event) => resolve(`closed with ${event.code}: ${event.reason}`), { once: true });
  });
}

// Four mistakes. More than five in a few seconds would close the connection with 1008.
const mistakes = ['not json', '{"type":"buy","symbol":"AAPL"}', '{"type":"subscribe","symbols":"AAPL"}', '{"type":"subscribe","symbols":["ACME"]}'];
for (const text of mistakes) {
  if (ticker.readyState !== WebSocket.OPEN) break;
  const answer = nextError();
  ticker.send(text);
  console.log(await answer);
}
ticker.readyState; // 1, OPEN: errors are messages, not closes
