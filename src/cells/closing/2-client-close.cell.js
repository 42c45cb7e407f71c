/** Resolves once `socket` is open. */
function opened(socket) {
  return new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
}

// This time the page closes. /ws/close with no parameters waits to be closed.
const mine = new WebSocket(`${SERVER}/ws/close`);
await opened(mine);
mine.close(4000, 'done here');
display(closeInfo(await closed(mine)));

// close() with no code sends a close frame with an empty body.
const quiet = new WebSocket(`${SERVER}/ws/close`);
await opened(quiet);
quiet.close();
closeInfo(await closed(quiet));
