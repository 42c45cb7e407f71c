/** RFC 6455 §5.5: a close frame's payload is at most 125 bytes, two of them the code. */
const MAX_REASON_BYTES = 123;

/**
 * Closes `socket` and never throws: a code a page may not send becomes
 * 1000, and a reason too long for a close frame is cut to fit.
 */
function safeClose(socket, code, reason = '') {
  const allowed = code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999);
  let fitted = '';
  let bytes = 0;
  // Whole characters only: for…of walks code points, so an emoji is never split.
  for (const character of reason) {
    bytes += new TextEncoder().encode(character).length;
    if (bytes > MAX_REASON_BYTES) break;
    fitted += character;
  }
  socket.close(allowed ? code : 1000, fitted);
}
