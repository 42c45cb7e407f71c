// Detection takes up to interval + timeout; the server says 4000.
const prediction = { closeCode: 4000, latestMs: 900 };

// The server pings every 300 ms, and gives up on a ping
// that has gone unanswered for 600 ms.
const query = 'interval=300&timeout=600';
const socket = new WebSocket(`${SERVER}/ws/heartbeat?${query}`);

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type !== 'ping') return;
  // Echo id (which ping this answers) and sent (to time the round trip).
  const pong = { type: 'pong', id: message.id, sent: message.sent };
  socket.send(JSON.stringify(pong));
});

// Stay for 3 s, then leave.
await sleep(3000);
socket.close(1000, 'done');
