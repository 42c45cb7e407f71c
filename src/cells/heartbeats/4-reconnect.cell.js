// partysocket, reconnecting by itself. It answers no pings (a
// frozen client), so the server drops it after interval + timeout.
const feedUrl = `${SERVER}/ws/heartbeat?interval=500&timeout=1000`;
const feed = new ReconnectingWebSocket(feedUrl);
let subscriptions = 0;

// The server forgets subscriptions with the connection:
// subscribe again on every open.
feed.addEventListener('open', () => {
  console.log('open: subscribing to wind');
  feed.send(JSON.stringify({ type: 'subscribe', topic: 'wind' }));
});
function logClose(event) {
  console.log(`closed: ${event.code} ${event.reason}`);
}
feed.addEventListener('close', logClose);
feed.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type !== 'subscribed') return;
  subscriptions += 1;
  console.log(`wind: ${message.value} km/h, update #${message.seq}`);
});

// Wait for the subscription on the second connection, then stop.
// (Stop listening first: in browsers, the close event partysocket
// makes for its own close() loses the code and reason.)
while (subscriptions < 2) await sleep(100);
feed.removeEventListener('close', logClose);
feed.close(1000, 'seen it reconnect');
