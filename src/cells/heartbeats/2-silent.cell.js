// A client that answers nothing. The server pings every 500 ms
// and waits 1000 ms for each pong.
const query = 'interval=500&timeout=1000';
const silent = new WebSocket(`${SERVER}/ws/heartbeat?${query}`);
await new Promise((resolve) => {
  silent.addEventListener('open', resolve, { once: true });
});
const openedAt = performance.now();

const closed = await new Promise((resolve) => {
  silent.addEventListener('close', resolve, { once: true });
});
display({
  code: closed.code,
  wasClean: closed.wasClean,
  afterMs: Math.round(performance.now() - openedAt),
});
closed.reason;
