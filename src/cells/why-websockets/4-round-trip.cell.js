// A round trip: send, then wait for the matching echo.
const started = performance.now();
socket.send('ping');
const reply = await new Promise((resolve) => {
  socket.addEventListener('message', (event) => resolve(event.data), { once: true });
});
`"${reply}" came back after ${(performance.now() - started).toFixed(2)} ms`;
