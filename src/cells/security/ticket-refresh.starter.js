/**
 * Keeps a connection to `url` authenticated. Each connection sends a ticket
 * from `await getTicket()` as its first message. When the server closes with
 * 4401 (the credentials expired), fetch a new ticket and connect again. After
 * a refusal (4400, 4403, 4408, 4409, 4410), stop: the same request would be
 * refused again.
 *
 * Like the seed demos, this one comes back after every close: fix that.
 */
function stayAuthenticated(getTicket, url) {
  const connect = async () => {
    const ticket = await getTicket();
    const socket = new WebSocket(url);
    socket.addEventListener('open', () => {
      socket.send(JSON.stringify({ type: 'auth', ticket }));
    });
    socket.addEventListener('close', () => {
      setTimeout(connect, 1000);
    });
  };
  connect();
}
