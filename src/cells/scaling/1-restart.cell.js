// A member on an instance that is about to restart: restartAfterMs makes this
// demo server close the connection with 1012 (Service Restart) after 1.5 s,
// as an instance drained for a deploy does.
const drainRoom = `drain-${crypto.randomUUID().slice(0, 8)}`;
const writer = new WebSocket(`${SERVER}/ws/chat/${drainRoom}`);
const reader = new WebSocket(`${SERVER}/ws/chat/${drainRoom}?restartAfterMs=1500`);

/** Resolves with the next message of `type` on `socket`. */
const next = (socket, type) =>
  new Promise((resolve) => {
    socket.addEventListener('message', function listener(event) {
      const message = JSON.parse(event.data);
      if (message.type !== type) return;
      socket.removeEventListener('message', listener);
      resolve(message);
    });
  });

await next(writer, 'welcome');
const welcome = await next(reader, 'welcome');
let lastId = welcome.lastId;
reader.addEventListener('message', (event) => {
  const { id } = JSON.parse(event.data);
  if (typeof id === 'number') lastId = Math.max(lastId, id);
});

const closed = await new Promise((resolve) => reader.addEventListener('close', resolve, { once: true }));
display(`closed: ${closed.code} ${closed.reason}`);

// While the reader is away (a real client waits a jittered delay), the room goes on.
writer.send(JSON.stringify({ type: 'say', text: 'sent during the restart', clientId: 'd1' }));
await next(writer, 'ack');

// Back on "another instance" (here the same server; through npm run cluster's
// proxy it would be the next one), from the last id it saw.
const back = new WebSocket(`${SERVER}/ws/chat/${drainRoom}?since=${lastId}&epoch=${welcome.epoch}`);
const resumed = await next(back, 'welcome');
display(resumed.resume.message);
for (const event of resumed.history) display(event.type === 'message' ? `#${event.id} ${event.from}: ${event.text}` : `#${event.id} ${event.type}: ${event.name}`);
back.close(1000, 'done');
writer.close(1000, 'done');
resumed.resume.status;
