// Close politely: a close frame with a code and a reason, answered by the server.
socket.close(1000, 'finished chapter 1');

const closeEvent = await new Promise((resolve) => socket.addEventListener('close', resolve, { once: true }));
display({ code: closeEvent.code, reason: closeEvent.reason, wasClean: closeEvent.wasClean });
