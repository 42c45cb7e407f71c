// Requests waiting for their reply, by id.
const pending = new Map();
let lastId = 0;

ticker.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type !== 'pong' || !pending.has(message.id)) return;
  pending.get(message.id)(message);
  pending.delete(message.id);
});

/** Sends a ping and resolves with its pong, whatever else arrives in between. */
function request() {
  const id = ++lastId;
  const reply = new Promise((resolve) => pending.set(id, resolve));
  ticker.send(JSON.stringify({ type: 'ping', id, sent: performance.now() }));
  return reply;
}

// Three requests in flight at once; each reply finds its own request.
const pongs = await Promise.all([request(), request(), request()]);
for (const pong of pongs) display({ id: pong.id, roundTripMs: Math.round((performance.now() - pong.sent) * 100) / 100 });
pending.size; // 0: every request has had its reply
