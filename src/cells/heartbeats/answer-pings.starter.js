// Predict before you run. A client that answers nothing on this
// connection: which close code ends it, and at the latest how many ms
// after it opens? Commit to both numbers.
const prediction = { closeCode: null, latestMs: null };

// The server pings every 300 ms, and gives up on a ping
// that has gone unanswered for 600 ms.
const query = 'interval=300&timeout=600';
const socket = new WebSocket(`${SERVER}/ws/heartbeat?${query}`);

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  // Keep this connection alive.
});

// Stay for 3 s, then leave.
await sleep(3000);
socket.close(1000, 'done');
