const COUNT = 100;
const WORK_MS = 20;
const FLAT_BYTES = 1024 * 1024;
// 200 messages/s of 32 KiB: over 6 MiB/s, far faster than 50 processed a second.
const query = 'mode=credit&messagesPerSecond=200&messageBytes=32768&pingIntervalMs=0';
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const hasStream = 'WebSocketStream' in globalThis;
let peak = 0;
let ended = null;
let outcome = { pending: true };
if (hasStream) {
  const readStream = (() => {
    try {
      return variable('readStream');
    } catch {
      return undefined;
    }
  })();
  if (typeof readStream === 'function') {
    const onHello = (hello) => {
      const stats = new WebSocket(`${SERVER}/ws/backpressure/stats?id=${hello?.statsId}&intervalMs=100`);
      stats.addEventListener('message', (event) => {
        const report = JSON.parse(event.data);
        if (report.type === 'stats') peak = Math.max(peak, report.bufferedBytes);
        if (report.type === 'ended') {
          ended = report;
          peak = Math.max(peak, report.bufferedBytes);
          stats.close();
        }
      });
    };
    outcome = await settle(readStream(`${SERVER}/ws/backpressure?${query}`, COUNT, WORK_MS, onHello), 30_000);
  } else {
    outcome = { error: new Error(`expected readStream to be a function, got ${typeof readStream}`) };
  }
}

const read = await check(`reads ${COUNT} messages through the readable side`, () => {
  if (!hasStream) fail('this browser has no WebSocketStream: check this exercise in a Chromium-based browser');
  if ('timedOut' in outcome) fail(`readStream had not finished after 30 s`);
  if ('error' in outcome) fail(outcome.error instanceof Error ? outcome.error.message : String(outcome.error));
  if (ended !== null && ended.cause !== 'client-closed') fail(`the server ended the connection itself: ${ended.detail}`);
  expectEqual(outcome.value, COUNT, 'the number of messages processed');
});

await check(`keeps the server's buffer flat: never more than ${mib(FLAT_BYTES)} held for you`, () => {
  if (!read) fail('needs the stream read first (see above)');
  if (peak > FLAT_BYTES) {
    fail(
      `the server held up to ${mib(peak)} for you. Your reader stopped pulling, so TCP pushed back, but the credit you gave let the server keep producing into its own memory`,
    );
  }
});
