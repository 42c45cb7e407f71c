// The mark is checked before each send, and one message goes over it.
const prediction = { mostQueuedBytes: 150_000 };

/**
 * Sends `messages` on `socket`, in order, but never while more than
 * `highWaterBytes` are queued in this browser (socket.bufferedAmount).
 * Resolves once the last message has been handed to send().
 */
async function sendAll(socket, messages, highWaterBytes) {
  for (const message of messages) {
    // sleep() lets the browser hand queued bytes to the
    // network; a loop without it would never see them go.
    while (socket.bufferedAmount > highWaterBytes) await sleep(10);
    socket.send(message);
  }
}

// Try it: 1 MB in 20 messages to a server that reads 1 MB a second.
const query = 'messagesPerSecond=1&messageBytes=128&pingIntervalMs=0&uploadBytesPerSecond=1000000';
const socket = new WebSocket(`${SERVER}/ws/backpressure?${query}`);
await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
// 50,000 bytes each: the JSON around the data is 27.
const upload = JSON.stringify({ type: 'upload', data: 'x'.repeat(49_973) });
const startedAt = performance.now();
await sendAll(socket, Array(20).fill(upload), 100_000);
display({ tookMs: Math.round(performance.now() - startedAt), stillQueuedBytes: socket.bufferedAmount });
socket.close(1000, 'tried it');
