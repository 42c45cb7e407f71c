// Offer two subprotocols, in order of preference (RFC 6455 §4.1).
const socket = new WebSocket(`${SERVER}/ws/inspect`, ['json.v1', 'text.v1']);

// /ws/inspect's first message reports this handshake; listen before it can arrive.
const handshakeReport = new Promise((resolve) => {
  socket.addEventListener('message', (event) => resolve(JSON.parse(event.data)), { once: true });
});

await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
// What the server chose; the server declines every extension, so that is ''.
display({ protocol: socket.protocol, extensions: socket.extensions });
