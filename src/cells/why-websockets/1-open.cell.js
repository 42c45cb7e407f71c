// Open a WebSocket to the demo server's echo endpoint.
const socket = new WebSocket(`${SERVER}/ws/echo`);

// The constructor returns at once; the handshake finishes a moment later.
display(socket.readyState); // 0 = CONNECTING

await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
socket.readyState; // 1 = OPEN
