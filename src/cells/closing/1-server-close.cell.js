/** Resolves with `socket`'s close event. */
function closed(socket) {
  return new Promise((resolve) => socket.addEventListener('close', resolve, { once: true }));
}

/** The three things a close event tells a page. */
function closeInfo(event) {
  return { code: event.code, reason: event.reason, wasClean: event.wasClean };
}

// Ask the server to close with 4401 and a reason as soon as the connection opens.
const expired = new WebSocket(`${SERVER}/ws/close?code=4401&reason=${encodeURIComponent('token expired')}`);
closeInfo(await closed(expired));
