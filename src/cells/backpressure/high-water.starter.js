// Predict before you write: with your sendAll, a mark of 100,000 bytes
// and messages of 50,000 bytes, what is the most the browser can hold
// right after a send()? Commit to a number of bytes.
const prediction = { mostQueuedBytes: null };

/**
 * Sends `messages` on `socket`, in order, but never while more than
 * `highWaterBytes` are queued in this browser (socket.bufferedAmount).
 * Resolves once the last message has been handed to send().
 */
async function sendAll(socket, messages, highWaterBytes) {
  for (const message of messages) {
    // Do not send while more than highWaterBytes are queued.
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
