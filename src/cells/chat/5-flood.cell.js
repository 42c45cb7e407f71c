// A new member sends thirty messages at once.
const flooder = new WebSocket(`${SERVER}/ws/chat/${room}`);
await nextOfType('welcome', flooder);
const floodClosed = new Promise((resolve) => flooder.addEventListener('close', resolve, { once: true }));
const floodReplies = [];
flooder.addEventListener('message', (event) => floodReplies.push(JSON.parse(event.data)));
for (let count = 1; count <= 30; count++) {
  flooder.send(JSON.stringify({ type: 'say', text: `flood ${count}` }));
}

const floodClose = await floodClosed;
const through = floodReplies.filter((message) => message.type === 'message').length;
display(`${through} of 30 went through`);
for (const error of floodReplies.filter((message) => message.type === 'error')) {
  display(`${error.error}: ${error.message}`);
}
display(`closed with ${floodClose.code}: ${floodClose.reason}`);
// The member who resumed in the previous cell is still here, and still open.
back.readyState;
