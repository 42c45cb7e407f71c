// latencyMs makes the server hold every message this long each way, like a long link.
const socket = new WebSocket(`${SERVER}/ws/ticker?latencyMs=__LATENCY_MS__`);
socket.addEventListener('open', () => {
  socket.send(JSON.stringify({ type: 'subscribe', symbols: __SYMBOLS__ }));
});
socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  // message.time is when the server sent it: draw a line from then (server lane) to now (browser lane).
  drawDown(message, message.time, Date.now());
});
pingButton.addEventListener('click', () => {
  socket.send(JSON.stringify({ type: 'ping', id: ++lastId, sent: Date.now() }));   // an up line, while prices keep coming down
});
