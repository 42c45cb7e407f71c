/**
 * Keeps a connection to `url` authenticated. Each connection sends a ticket
 * from `await getTicket()` as its first message. When the server closes with
 * 4401 (the credentials expired), fetch a new ticket and connect again. After
 * a refusal (4400, 4403, 4408, 4409, 4410), stop: the same request would be
 * refused again.
 */
function stayAuthenticated(getTicket, url) {
  const connect = async () => {
    const ticket = await getTicket();
    const socket = new WebSocket(url);
    let welcomed = false;
    socket.addEventListener('open', () => {
      socket.send(JSON.stringify({ type: 'auth', ticket }));
    });
    socket.addEventListener('message', (event) => {
      if (JSON.parse(event.data).type === 'welcome') welcomed = true;
    });
    socket.addEventListener('close', (event) => {
      // Only an expiry after a welcome: a new ticket fixes it, once per expiry.
      if (event.code === 4401 && welcomed) connect();
      else console.log('not reconnecting after', event.code, event.reason);
    });
  };
  connect();
}
