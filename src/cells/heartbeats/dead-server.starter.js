// The server's own heartbeat is slowed to once a minute: this
// exercise is about yours. `client=` names this client, so that
// the frozen server also refuses its attempts to reconnect.
const client = crypto.randomUUID();
const query = `interval=60000&timeout=60000&client=${client}`;
const socket = new ReconnectingWebSocket(`${SERVER}/ws/heartbeat?${query}`);
const PING_EVERY_MS = 500;
const PONG_TIMEOUT_MS = 1500;
const wind = [];

socket.send(JSON.stringify({ type: 'subscribe', topic: 'wind' }));
socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'update') wind.push(message.value);
});

// 1. Every PING_EVERY_MS, while connected, send
//    {type: 'ping', id, sent}.
// 2. When no pong has come for PONG_TIMEOUT_MS, close and
//    connect again: socket.reconnect(4000, 'heartbeat timeout').
// 3. Keep the wind subscription across reconnections.

// The experiment (keep it): a second after the first open,
// the server freezes for 5 s.
const freeze = JSON.stringify({ type: 'freeze', seconds: 5 });
const freezeSoon = () => setTimeout(() => socket.send(freeze), 1000);
socket.addEventListener('open', freezeSoon, { once: true });
