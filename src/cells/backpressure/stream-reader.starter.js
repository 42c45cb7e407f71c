/**
 * Reads `count` data messages from `url` (/ws/backpressure in credit mode)
 * through the readable side of a WebSocketStream, spending `workMs` on
 * each, then closes with 1000. Calls onHello(hello) with the first message.
 * Resolves with how many data messages it processed.
 */
async function readStream(url, count, workMs, onHello) {
  const stream = new WebSocketStream(url);
  const { readable, writable } = await stream.opened;
  const reader = readable.getReader();
  const writer = writable.getWriter();
  onHello(JSON.parse((await reader.read()).value));
  // Let the server send as fast as it likes.
  await writer.write(JSON.stringify({ type: 'credit', credits: 1000 }));
  let processed = 0;
  while (processed < count) {
    const { value, done } = await reader.read();
    if (done) break;
    if (JSON.parse(value).type !== 'data') continue;
    await sleep(workMs); // the "work"
    processed += 1;
  }
  stream.close({ closeCode: 1000, reason: 'read enough' });
  return processed;
}

// Try it: 200 messages/s of 32 KiB, and watch what the server holds for you.
const query = 'mode=credit&messagesPerSecond=200&messageBytes=32768&pingIntervalMs=0';
if (!('WebSocketStream' in globalThis)) {
  display('This browser has no WebSocketStream: use a Chromium-based browser.');
} else {
  let peakHeldByServer = 0;
  let stats = null;
  const processed = await readStream(`${SERVER}/ws/backpressure?${query}`, 100, 20, (hello) => {
    stats = new WebSocket(`${SERVER}/ws/backpressure/stats?id=${hello.statsId}&intervalMs=100`);
    stats.addEventListener('message', (event) => {
      const report = JSON.parse(event.data);
      if (report.type === 'stats') peakHeldByServer = Math.max(peakHeldByServer, report.bufferedBytes);
    });
  });
  stats?.close();
  display({ processed, peakHeldByServer });
}
