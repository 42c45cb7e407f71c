/**
 * Resolves with the next message of `type` on `socket`, parsed;
 * rejects when none comes within `timeoutMs`.
 */
function nextMessage(socket, type, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.removeEventListener('message', listener);
      reject(new Error(`no ${type} message within ${timeoutMs} ms`));
    }, timeoutMs);
    function listener(event) {
      const message = JSON.parse(event.data);
      if (message.type !== type) return;
      clearTimeout(timer);
      socket.removeEventListener('message', listener);
      resolve(message);
    }
    socket.addEventListener('message', listener);
  });
}

const heartbeat = new WebSocket(`${SERVER}/ws/heartbeat`);
// The server's first message states its heartbeat settings.
display(await nextMessage(heartbeat, 'welcome'));

// An application ping is an ordinary message;
// the pong echoes its `sent`.
const ping = { type: 'ping', id: 1, sent: performance.now() };
heartbeat.send(JSON.stringify(ping));
const pong = await nextMessage(heartbeat, 'pong');
heartbeat.close(1000, 'pinged');
`pong ${pong.id} after ${(performance.now() - pong.sent).toFixed(2)} ms`;
