// A new member sends thirty messages at once, while `back`, the member from
// the previous cell, counts what reaches it.
const flooder = new WebSocket(`${SERVER}/ws/chat/${room}`);
const { you: flooderName } = await nextOfType('welcome', flooder);
const floodErrors = [];
flooder.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'error') floodErrors.push(`${message.error}: ${message.message}`);
});
const floodClosed = new Promise((resolve) => flooder.addEventListener('close', resolve, { once: true }));
const reachedBack = [];
back.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'message' && message.from === flooderName) reachedBack.push(message.text);
});
// The room logs the flooder's departure after the last of its messages.
const flooderLeft = nextOfType('left', back);

for (let count = 1; count <= 30; count++) {
  flooder.send(JSON.stringify({ type: 'say', text: `flood ${count}` }));
}

const floodClose = await floodClosed;
await flooderLeft;
display(`${reachedBack.length} of 30 reached the room`);
for (const error of floodErrors) display(error);
display(`closed with ${floodClose.code}: ${floodClose.reason}`);
// The member who resumed in the previous cell is still here, and still open.
back.readyState;
