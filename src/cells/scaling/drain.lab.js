// npm run cluster's control process plays the clients: one browser opens
// one WebSocket to a server at a time (RFC 6455 §4.1), so it cannot be a herd.
// It opens N of them to instance B; B closes each with 1012 (Service
// Restart). Each waits, then reconnects to instance A:
function delayMs(mode) {
  // No jitter: everyone waits the same 1000 ms and arrives together.
  // Full jitter: a random wait between 0 and 1000 ms spreads them out.
  return mode === 'no-jitter' ? 1000 : Math.random() * 1000;
}
for (let client = 0; client < clients; client++) {
  const socket = new WebSocket(`${instanceB}/ws/echo`);
  socket.addEventListener('close', (event) => {
    if (event.code === 1012) setTimeout(() => new WebSocket(`${instanceA}/ws/echo`), delayMs(mode));
  });
}
// The page draws instance A's own count of handshakes per 100 ms:
const counts = await fetch(`/cluster/instances/${nameOfA}/handshakes?sinceMs=${drainedAtMs}`, { headers: { authorization: `Bearer ${secret}` } });
