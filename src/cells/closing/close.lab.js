// Each row opens its own socket; the server's side of the story arrives on
// a second socket (/ws/close/observe), which survives this one.
const socket = new WebSocket(`${SERVER}/ws/close?observer=${observerId}&run=${run}`);
socket.onopen = () => {
  requestedAt = performance.now();
  socket.send(JSON.stringify({ type: 'close-request', action: 'close', code: 4401, reason: 'token expired' }));
  // or action: 'no-status' | 'drop' | 'invalid-utf8' | 'masked-frame' | 'reserved-opcode'
};
socket.onerror = () => { sawErrorEvent = true; };
socket.onclose = (event) => {
  show(event.code, event.reason, event.wasClean, performance.now() - requestedAt);
};

// Your own close: check first, because close() throws on codes a page may not send.
socket.close(4000, 'done here');

// Navigating away: the socket belongs to a frame, and the frame leaves.
const frameSocket = new frame.contentWindow.WebSocket(url);
frameSocket.onopen = () => frame.contentWindow.location.replace('about:blank');
