// Log in to the fake demo account: the server sets a session cookie on this
// browser. Nothing here is real.
const HTTP = SERVER.replace(/^ws/, 'http');
await fetch(`${HTTP}/account/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'ada' }),
});

// The cookie goes with this same-origin POST; the answer is a one-time ticket.
const response = await fetch(`${HTTP}/account/ticket`, { method: 'POST' });
const { ticket } = await response.json();

// The ticket as the first message keeps it out of the URL, and out of logs.
const socket = new WebSocket(`${SERVER}/ws/account/ticket`);
socket.addEventListener('open', () => {
  socket.send(JSON.stringify({ type: 'auth', ticket }));
});
socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  console.log(message.type, message);
  if (message.type === 'welcome') socket.send(JSON.stringify({ type: 'read', channel: 'general' }));
});
