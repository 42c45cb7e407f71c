// Where this member left off: the highest id it has seen, and the room's epoch.
const lastSeen = Math.max(welcome.lastId, ...inbox.filter((message) => typeof message.id === 'number').map((message) => message.id));
socket.close(1000, 'going offline');
if (socket.readyState !== WebSocket.CLOSED) {
  await new Promise((resolve) => socket.addEventListener('close', resolve, { once: true }));
}

// While it is away, someone else joins and talks.
const other = new WebSocket(`${SERVER}/ws/chat/${room}`);
await nextOfType('welcome', other);
other.send(JSON.stringify({ type: 'say', text: 'You missed this' }));
other.send(JSON.stringify({ type: 'say', text: 'And this', clientId: 'and-this' }));
// The server handles a member's messages in order: the ack of the second means both are logged.
await nextOfType('ack', other);

// Back, from where it left off, and asking for its old name.
const query = new URLSearchParams({ since: String(lastSeen), epoch: welcome.epoch, name: welcome.you });
const back = new WebSocket(`${SERVER}/ws/chat/${room}?${query}`);
const resumed = await nextOfType('welcome', back);
display(`back as ${resumed.you}, after #${lastSeen}`);
display(resumed.resume.message);
// Exactly the events after #lastSeen: its own leaving, the other member, and
// what it missed, then its own return.
for (const event of resumed.history) {
  display(event.type === 'message' ? `#${event.id} ${event.from}: ${event.text}` : `#${event.id} ${event.type}: ${event.name}`);
}
resumed.resume.status;
