// Three endings with no code from the server: an empty close frame, a TCP
// connection destroyed without any close frame, and a text frame that is not
// UTF-8, which the browser must treat as a broken connection.
for (const action of ['no-status', 'drop', 'invalid-utf8']) {
  const socket = new WebSocket(`${SERVER}/ws/close?action=${action}`);
  let errorEvent = false;
  socket.addEventListener('error', () => {
    errorEvent = true;
  });
  const event = await closed(socket);
  display(`${action}: close ${event.code}, wasClean ${event.wasClean}, error event ${errorEvent ? 'yes' : 'no'}`);
}
