// 1. Ask our own server for a one-time ticket. The session cookie goes with
//    this same-origin POST; a page on another site cannot read the answer.
const response = await fetch('/account/ticket', { method: 'POST' });
const { ticket } = await response.json();

// 2a. The ticket in the URL: refused at the handshake (400, 403, 409, 410),
//     which the page sees only as an error and close code 1006.
// const socket = new WebSocket(`${SERVER}/ws/account/ticket?ticket=${ticket}&sessionMs=__SESSION_MS__`);

// 2b. Or as the first message: refused with a close code (4400, 4403, 4409, 4410),
//     and the URL, which proxies and access logs keep, holds no secret.
const socket = new WebSocket(`${SERVER}/ws/account/ticket?sessionMs=__SESSION_MS__`);
socket.addEventListener('open', () => {
  socket.send(JSON.stringify({ type: 'auth', ticket }));
});

socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  // Per-message authorization: a post to announcements gets FORBIDDEN,
  // and the connection stays open.
  if (message.type === 'error') log(message.error, message.message);
});

// 3. 4401 after the welcome: the credentials ran out, and a new ticket fixes
//    that, so fetch one and reconnect once. Any other 44xx refused this ticket:
//    coming back with it would be refused again, forever.
socket.addEventListener('close', (event) => {
  if (event.code === 4401 && welcomed) reconnectWithFreshTicket();
  else log('not reconnecting', event.code, event.reason);
});
