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
  let attempt = 0;
  // Where this member left off; null until the first welcome.
  let lastId = null;
  let epoch = null;
  const deliver = (event) => {
    // A resume may repeat an id the last connection already delivered.
    if (event.id <= lastId) return;
    lastId = event.id;
    if (event.type === 'message') onMessage(event);
  };
  const connect = () => {
    if (stopped) return;
    const url = new URL(urls[attempt % urls.length]);
    attempt += 1;
    if (lastId !== null) {
      url.searchParams.set('since', String(lastId));
      url.searchParams.set('epoch', epoch);
    }
    socket = new WebSocket(url);
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'welcome') {
        epoch = message.epoch;
        // A reset room starts its ids again: take what it kept as new.
        if (lastId === null) lastId = message.lastId;
        else if (message.resume?.status === 'reset') lastId = 0;
        for (const past of message.history) deliver(past);
      } else if (typeof message.id === 'number') {
        deliver(message);
      }
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
