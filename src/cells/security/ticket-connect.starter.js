// Log in to the fake demo account: the server sets a session cookie on this
// browser. Nothing here is real.
const HTTP = SERVER.replace(/^ws/, 'http');
await fetch(`${HTTP}/account/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'ada' }),
});

// TODO: POST /account/ticket for a one-time ticket, and connect with it
// (in the URL or as the first message). Then read the general channel.
const socket = new WebSocket(`${SERVER}/ws/account/ticket`);
socket.addEventListener('message', (event) => console.log(event.data));
