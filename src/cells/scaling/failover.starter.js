/**
 * Follows a chat room across instances. `urls` are the room's WebSocket
 * URLs on two or more instances. Connects to urls[0]. Each time the
 * connection closes without stop() being called, waits a short random
 * delay and connects to the next URL of the list (after the last comes the
 * first), asking for what came after the last id it saw, so that
 * `onMessage` gets every message posted since the first welcome, once
 * each, in id order. Returns { stop() }, which closes with 1000 for good.
 */
function followRoom(urls, onMessage) {
  let socket = null;
  let stopped = false;
  const connect = () => {
    if (stopped) return;
    socket = new WebSocket(urls[0]);
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'message') onMessage(message);
    });
    socket.addEventListener('close', () => {
      if (!stopped) setTimeout(connect, 250 + 250 * Math.random());
    });
  };
  connect();
  return {
    stop() {
      stopped = true;
      socket.close(1000, 'done');
    },
  };
}
