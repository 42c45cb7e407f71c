// src/labs/backpressure/worker.ts: a Web Worker with its own socket.
const socket = new WebSocket(`${SERVER}/ws/backpressure?mode=naive&messagesPerSecond=100&messageBytes=10240`);
socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.type !== 'data') return;
  // The "work": 50 ms of CPU. Meanwhile this thread cannot take the next
  // message; Chromium then stops reading the socket (its behaviour, not a
  // standard's rule) and TCP pushes back.
  const until = performance.now() + 50;
  while (performance.now() < until) {}
  processed += 1;
};
