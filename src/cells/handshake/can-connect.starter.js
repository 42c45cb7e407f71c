/**
 * Resolves with true when a WebSocket to `url` (offering `protocols`) opens,
 * and false when its handshake fails. Closes a socket that opened, with 1000.
 */
function canConnect(url, protocols = []) {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, protocols);
    socket.addEventListener('open', () => {
      socket.close(1000);
      resolve(true);
    });
  });
}

display(await canConnect(`${SERVER}/ws/echo`));
// Then try `${SERVER}/ws/no-such-endpoint`: what does this version do?
