// Pane B follows the room on instance B. When B goes away, it reconnects
// through nginx (or straight to instance A without nginx) and resumes.
let lastId = 0;
let epoch = null;
let target = instanceB;
const seen = new Set();
const socket = new ReconnectingWebSocket(() => {
  const url = new URL(`${target}/ws/chat/${room}`);
  // Resume by id: the instance it lands on reads what we missed from Redis.
  if (epoch !== null) url.search = new URLSearchParams({ since: lastId, epoch });
  return url.href;
});
socket.addEventListener('close', () => {
  target = fallback;
});
socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  const events = message.type === 'welcome' ? message.history : [message];
  if (message.type === 'welcome') epoch = message.epoch;
  for (const each of events) {
    if (typeof each.id !== 'number') continue;
    if (seen.has(each.id)) duplicates += 1;
    seen.add(each.id);
    lastId = Math.max(lastId, each.id);
  }
});
