// A server that reads what you send at only 2 MiB a second.
const query = 'messagesPerSecond=1&messageBytes=128&pingIntervalMs=0&uploadBytesPerSecond=2097152';
const upload = new WebSocket(`${SERVER}/ws/backpressure?${query}`);
const uploadHello = await new Promise((resolve) => {
  upload.addEventListener('message', (event) => resolve(JSON.parse(event.data)), { once: true });
});

// 12 MiB at once, in 192 messages of 64 KiB. Each send() returns at once.
const chunk = JSON.stringify({ type: 'upload', data: 'x'.repeat(65_536 - 27) });
const CHUNKS = 192;
for (let i = 0; i < CHUNKS; i++) upload.send(chunk);
const MiB = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
display(`after the loop: ${MiB(upload.bufferedAmount)} queued in this browser`);

// bufferedAmount only goes down between tasks, while your code waits.
const watchedAt = performance.now();
while (upload.bufferedAmount > 0) {
  await sleep(500);
  const seconds = ((performance.now() - watchedAt) / 1000).toFixed(1);
  display(`${seconds} s: ${MiB(upload.bufferedAmount)} queued`);
}
