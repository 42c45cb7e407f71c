// The server pings every 300 ms, and gives up on a ping
// that has gone unanswered for 600 ms.
const query = 'interval=300&timeout=600';
const socket = new WebSocket(`${SERVER}/ws/heartbeat?${query}`);

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  // Answer the server's pings here.
});

// Stay for 3 s, then leave.
await sleep(3000);
socket.close(1000, 'done');
