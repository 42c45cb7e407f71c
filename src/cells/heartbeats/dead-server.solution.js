// The server's own heartbeat is slowed to once a minute: this
// exercise is about yours. `client=` names this client, so that
// the frozen server also refuses its attempts to reconnect.
const client = crypto.randomUUID();
const query = `interval=60000&timeout=60000&client=${client}`;
const socket = new ReconnectingWebSocket(`${SERVER}/ws/heartbeat?${query}`);
const PING_EVERY_MS = 500;
const PONG_TIMEOUT_MS = 1500;
const wind = [];
let nextPingId = 1;
let lastPongAt = performance.now();

// Subscribe on every open: a new connection starts with none.
socket.addEventListener('open', () => {
  lastPongAt = performance.now();
  socket.send(JSON.stringify({ type: 'subscribe', topic: 'wind' }));
});
socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'pong') lastPongAt = performance.now();
  if (message.type === 'update') wind.push(message.value);
});

setInterval(() => {
  // Only while connected: partysocket queues what is sent meanwhile,
  // and would deliver stale pings on the next connection.
  if (socket.readyState !== WebSocket.OPEN) return;
  if (performance.now() - lastPongAt > PONG_TIMEOUT_MS) {
    console.log(`no pong for ${PONG_TIMEOUT_MS} ms: reconnecting`);
    socket.reconnect(4000, 'heartbeat timeout');
    return;
  }
  const ping = { type: 'ping', id: nextPingId++, sent: performance.now() };
  socket.send(JSON.stringify(ping));
}, PING_EVERY_MS);

// The experiment (keep it): a second after the first open,
// the server freezes for 5 s.
const freeze = JSON.stringify({ type: 'freeze', seconds: 5 });
const freezeSoon = () => setTimeout(() => socket.send(freeze), 1000);
socket.addEventListener('open', freezeSoon, { once: true });
