// SERVER is this page's origin as ws://host:port (or ?server=…).
const socket = new WebSocket(`${SERVER}/ws/realtime?rate=__RATE_PER_SECOND__&delay=0&jitter=0`);
let deadlineMs = __DEADLINE_MS__;
let offsetMs = null; // the server's clock minus this one

const now = () => performance.timeOrigin + performance.now();

socket.addEventListener('open', () => {
  // A clock probe: the server answers at once with its own time.
  socket.send(JSON.stringify({ type: 'clock', id: 1, clientTime: now() }));
});

socket.addEventListener('message', (event) => {
  const arrivedAt = now();
  const message = JSON.parse(event.data);
  if (message.type === 'clock') {
    // The server stamped its time about halfway through the round trip.
    offsetMs = message.serverTime - (message.clientTime + arrivedAt) / 2;
  } else if (message.type === 'sample' && offsetMs !== null) {
    // Production time on the server's clock, moved onto ours.
    const delayMs = arrivedAt - (message.producedAt - offsetMs);
    const lateByMs = delayMs - deadlineMs;
    hard.judge(lateByMs > 0);                           // one miss fails the system
    firm.judge(lateByMs > 0);                           // a late sample is discarded
    soft.judge(Math.max(0, Math.min(1, 1 - lateByMs / deadlineMs))); // worth less the later it is
  }
});

// "Apply" changes the impairment while the stream runs:
socket.send(JSON.stringify({ type: 'configure', delayMs: 80, jitterMs: 40 }));
