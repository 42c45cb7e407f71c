const HIGH_WATER_BYTES = 100_000;
const MESSAGE_BYTES = 50_000;
const COUNT = 40;
const TOTAL_BYTES = COUNT * MESSAGE_BYTES;
// The server reads 1,000,000 bytes a second: about 2 s for all of it.
const query = 'messagesPerSecond=1&messageBytes=128&pingIntervalMs=0&uploadBytesPerSecond=1000000';
const count = (n) => n.toLocaleString('en-US');

// The checks' own connection and messages, numbered so that their order shows.
const messages = Array.from({ length: COUNT }, (_, index) => JSON.stringify({ type: 'upload', data: `#${index + 1} `.padEnd(MESSAGE_BYTES - 27, 'x') }));
const numberOf = (data) => /^\{"type":"upload","data":"#(\d+) /.exec(typeof data === 'string' ? data : '')?.[1] ?? '?';
const target = new WebSocket(`${SERVER}/ws/backpressure?${query}`);
let hello = null;
target.addEventListener('message', (event) => {
  hello ??= JSON.parse(event.data);
});
await waitFor(() => hello, 'a connection of the checks to /ws/backpressure', 5000);

// What sendAll hands to send(), and how much was queued at that moment.
const sent = [];
const queuedAtSend = [];
const send = target.send;
target.send = function (data) {
  sent.push(data);
  queuedAtSend.push(this.bufferedAmount);
  return send.call(this, data);
};
let outcome = 'pending';
const sendAll = (() => {
  try {
    return variable('sendAll');
  } catch {
    return undefined;
  }
})();
if (typeof sendAll === 'function') {
  Promise.resolve()
    .then(() => sendAll(target, messages, HIGH_WATER_BYTES))
    .then(
      () => {
        outcome = 'resolved';
      },
      (error) => {
        outcome = error instanceof Error ? error : new Error(String(error));
      },
    );
}
const call = `sendAll(socket, ${COUNT} messages of ${count(MESSAGE_BYTES)} bytes, ${count(HIGH_WATER_BYTES)})`;

const finished = await check('sends every message once, in order, and then resolves', async () => {
  expectTrue(typeof sendAll === 'function', `expected sendAll to be a function, got ${typeof sendAll}`);
  await within(15_000, () => outcome !== 'pending');
  if (outcome === 'pending') {
    fail(`${call} had not finished after 15 s, with ${count(sent.length)} sent: does your loop ever give the browser a moment to send?`);
  }
  if (outcome instanceof Error) fail(`${call} threw ${outcome.name}: ${outcome.message}`);
  const wrong = sent.findIndex((data, index) => data !== messages[index]);
  if (wrong !== -1) fail(`message ${count(wrong + 1)} sent was message ${numberOf(sent[wrong])}`);
  expectEqual(sent.length, COUNT, 'the number of messages sent');
});

await check('never sends while more than highWaterBytes are queued', () => {
  if (!finished) fail('needs every message sent first (see above)');
  const over = queuedAtSend.findIndex((bytes) => bytes > HIGH_WATER_BYTES);
  if (over !== -1) {
    fail(
      `${call} sent message ${count(over + 1)} while ${count(queuedAtSend[over])} bytes were queued (socket.bufferedAmount), more than ${count(HIGH_WATER_BYTES)}: the mark must hold before every send()`,
    );
  }
});

await check('the server reads all of it', async () => {
  if (!finished) fail('needs every message sent first (see above)');
  const stats = new WebSocket(`${SERVER}/ws/backpressure/stats?id=${hello.statsId}&intervalMs=200`);
  let read = 0;
  stats.addEventListener('message', (event) => {
    const report = JSON.parse(event.data);
    if (report.type === 'stats') read = report.receivedBytes;
  });
  if ((await within(15_000, () => read >= TOTAL_BYTES)) === null) {
    fail(`the server has read ${count(read)} of the ${count(TOTAL_BYTES)} bytes sent after 15 s`);
  }
  stats.close();
  target.close(1000, 'checked');
});

await check('your prediction matches what the browser held', () => {
  const prediction = variable('prediction');
  const predicted = prediction?.mostQueuedBytes;
  if (typeof predicted !== 'number') fail('commit to a prediction first: set prediction.mostQueuedBytes to a number of bytes');
  if (!finished) fail('needs every message sent first (see above)');
  const most = Math.max(...queuedAtSend.map((bytes, index) => bytes + sent[index].length));
  // The browser may have handed a little to the network between checks.
  if (Math.abs(predicted - (HIGH_WATER_BYTES + MESSAGE_BYTES)) > 1000) {
    fail(`you predicted ${count(predicted)} bytes; right after a send() the browser held up to ${count(most)}. Where is the mark checked, and how big is the message that goes after it?`);
  }
});
