// Offer the subprotocols you ticked; the server picks one of them, or none.
const socket = new WebSocket(`${SERVER}/ws/inspect`, ['json.v1', '__UNKNOWN_PROTOCOL__']);
socket.addEventListener('open', () => show(socket.protocol, socket.extensions));
socket.addEventListener('message', (event) => {
  const report = JSON.parse(event.data);
  if (report.type === 'handshake') show(report.requestLine, report.requestHeaders, report.responseLines);
});

// Recompute Sec-WebSocket-Accept from the key your browser sent (RFC 6455 §4.2.2).
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(key + GUID));
const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
