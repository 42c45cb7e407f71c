import ReconnectingWebSocket from 'partysocket/ws';

// SERVER is this page's origin as ws://host:port (or ?server=…).
const url = () => `${SERVER}/ws/heartbeat?interval=${intervalMs}&timeout=${timeoutMs}&client=${clientId}`;
const socket = new ReconnectingWebSocket(url, undefined, {
  minReconnectionDelay: 500,  // jittered ±30 % on every attempt
  reconnectionDelayGrowFactor: 2,
  maxReconnectionDelay: 8000,
});
const wanted = new Set(['temperature', 'wind']);
const pending = new Map(); // id → when this client's ping left
let nextId = 1;
let nextPingAt = 0;
let frozen = false; // "Freeze this client" sets it

socket.addEventListener('open', () => {
  // The server forgets a closed connection: ask again for what we want.
  for (const topic of wanted) socket.send(JSON.stringify({ type: 'subscribe', topic }));
});

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'ping' && !frozen) {
    socket.send(JSON.stringify({ type: 'pong', id: message.id, sent: message.sent }));
  } else if (message.type === 'pong') {
    showRoundTrip(performance.now() - pending.get(message.id));
    pending.delete(message.id);
  }
});

// A browser cannot send protocol pings: this client's own heartbeat is a message.
setInterval(() => {
  if (socket.readyState !== WebSocket.OPEN || frozen) return;
  const oldest = Math.min(...pending.values());
  if (performance.now() - oldest >= timeoutMs) {
    pending.clear();
    socket.reconnect(4000, `heartbeat timeout: no pong within ${timeoutMs} ms`);
  } else if (performance.now() >= nextPingAt) {
    pending.set(nextId, performance.now());
    socket.send(JSON.stringify({ type: 'ping', id: nextId++, sent: performance.now() }));
    nextPingAt = performance.now() + intervalMs;
  }
}, 100);

// "Freeze the server":
socket.send(JSON.stringify({ type: 'freeze', seconds: 10 }));
