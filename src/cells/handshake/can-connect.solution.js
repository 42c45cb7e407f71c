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
    // A refused handshake fires error, then close (1006), and never open.
    // After an open, this second resolve() changes nothing.
    socket.addEventListener('close', () => resolve(false));
  });
}

display(await canConnect(`${SERVER}/ws/echo`));
display(await canConnect(`${SERVER}/ws/no-such-endpoint`));
