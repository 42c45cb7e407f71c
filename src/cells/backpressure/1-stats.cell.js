// A stream this page keeps up with easily: 20 messages a second of 1 KiB.
const stream = new WebSocket(`${SERVER}/ws/backpressure?messagesPerSecond=20&messageBytes=1024`);

// The first message is a hello: the settings in force, and the id
// that opens this connection's stats channel.
const hello = await new Promise((resolve) => {
  stream.addEventListener('message', (event) => resolve(JSON.parse(event.data)), { once: true });
});
display(hello);
let received = 0;
stream.addEventListener('message', () => {
  received += 1;
});

// A second socket, on a TCP connection of its own: what the server
// sees of the first one, once a second.
const stats = new WebSocket(`${SERVER}/ws/backpressure/stats?id=${hello.statsId}&intervalMs=1000`);
stats.addEventListener('message', (event) => {
  const report = JSON.parse(event.data);
  if (report.type === 'stats') {
    display({
      received,
      sentByServer: report.sent,
      heldByServer: report.bufferedBytes,
      pingMs: report.lastPingRttMs,
    });
  }
  // When the stream ends, the server says how, then closes this socket.
  if (report.type === 'ended') display(report.detail);
});

await sleep(3000);
stream.close(1000, 'seen enough');
