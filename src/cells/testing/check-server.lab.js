// One check, as the panel runs it: its own connection, one message at a
// time, each waiting for its echo (bounded: 5 s per answer, no floods).
const socket = new WebSocket(url); // your server, e.g. ws://127.0.0.1:9001
socket.binaryType = 'arraybuffer';
await new Promise((resolve, reject) => {
  socket.onopen = resolve;
  // A refused handshake, a bad Sec-WebSocket-Accept and a closed port all
  // reach a page as the same 1006: only a terminal client sees the HTTP status.
  socket.onclose = (event) => reject(new Error(`closed with ${event.code} before it opened`));
});
const sent = new Uint8Array(65_536).map((_, index) => 0x21 + (index % 94));
socket.send(new TextDecoder().decode(sent)); // 65,536 bytes: the 64-bit length (RFC 6455 §5.2)
const echo = await new Promise((resolve) => { socket.onmessage = (event) => resolve(event.data); });
const same = new TextEncoder().encode(echo).every((byte, index) => byte === sent[index]);
display(same ? '✓ byte for byte' : '✗ the echo differs');
socket.close(1000, 'check done'); // the page then sees the server's close frame: a clean 1000
