const socket = new WebSocket(`${SERVER}/ws/inspect`);
socket.binaryType = 'arraybuffer';
let nextIsEcho = false;
socket.addEventListener('message', (event) => {
  if (nextIsEcho) { nextIsEcho = false; return showEcho(event.data); }
  const report = JSON.parse(event.data);
  if (report.type === 'frame') showFrame(report.frame);       // a frame you sent, as received
  if (report.type === 'reply') { showReply(report.frames); nextIsEcho = true; }
});

// Text, or its UTF-8 bytes as a binary message:
socket.send(asBinary ? new TextEncoder().encode(message) : message);
