/** Opens a socket and resolves with everything the page is told, in order, until it closes. */
async function attempt(url, protocols) {
  const told = [];
  const attemptSocket = new WebSocket(url, protocols);
  attemptSocket.addEventListener('open', () => told.push('open'));
  attemptSocket.addEventListener('error', () => told.push('error'));
  const close = await new Promise((resolve) => attemptSocket.addEventListener('close', resolve, { once: true }));
  return [...told, `close ${close.code}, wasClean ${close.wasClean}`];
}

// A 404 from the server, and a 101 that chose none of the subprotocols offered: the page cannot tell them apart.
display(await attempt(`${SERVER}/ws/no-such-endpoint`));
display(await attempt(`${SERVER}/ws/inspect`, ['chat.v9']));

// The server can show what the page cannot: ask it to try the wrong path against itself.
const probe = new WebSocket(`${SERVER}/ws/inspect?probe=wrong-path`);
const exchange = await new Promise((resolve) => {
  probe.addEventListener('message', (event) => resolve(JSON.parse(event.data)), { once: true });
});
display(exchange.responseLines[0], exchange.body);
