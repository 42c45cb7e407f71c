const TOTAL = 1000;
const WINDOW = 8;
const STALL_MS = 3000;
const parse = (data) => {
  try {
    return JSON.parse(typeof data === 'string' ? data : '');
  } catch {
    return null;
  }
};
const count = (n) => n.toLocaleString('en-US');

// Watch the reader's socket from here on: what it grants, what arrives, and when it closes.
const consumer = sockets()[0] ?? null;
const socket = (() => {
  try {
    return variable('socket');
  } catch {
    return null;
  }
})();
const watch = {
  granted: 0,
  data: 0,
  overflow: null,
  finishAfter: null,
  finished: false,
  closedBeforeFinished: null,
  serverError: null,
};
const processedCount = () => {
  try {
    return variable('processed').length;
  } catch {
    return 0;
  }
};
const noteSent = (data) => {
  const message = parse(data);
  if (message?.type === 'credit' && Number.isInteger(message.credits)) watch.granted += message.credits;
  if (message?.type === 'finish' && watch.finishAfter === null) watch.finishAfter = processedCount();
};
const noteReceived = (data) => {
  const message = parse(data);
  if (message?.type === 'data') {
    watch.data += 1;
    // Checked after the reader's own listener, which may just have given a credit back.
    const outstanding = watch.granted - watch.data;
    if (outstanding > WINDOW && watch.overflow === null) watch.overflow = { data: watch.data, granted: watch.granted, outstanding };
  }
  if (message?.type === 'finished') watch.finished = true;
  if (message?.type === 'error') watch.serverError = message.message;
};
const watchable = consumer !== null && socket instanceof WebSocket;
if (watchable) {
  // Whatever happened before the checks started.
  for (const data of consumer.sent) noteSent(data);
  for (const data of consumer.received) noteReceived(data);
  const send = socket.send;
  socket.send = function (data) {
    noteSent(data);
    return send.call(this, data);
  };
  const close = socket.close;
  socket.close = function (...args) {
    // Decided after this event's listeners have all run: a close in the
    // finished handler comes before the listener below has seen finished.
    setTimeout(() => {
      if (watch.closedBeforeFinished === null) watch.closedBeforeFinished = !watch.finished;
    }, 0);
    return close.apply(this, args);
  };
  socket.addEventListener('message', (event) => noteReceived(event.data));
}

const streaming = await check('opens the window: the server starts sending', async () => {
  if (consumer === null) fail('expected your code to open a WebSocket to /ws/backpressure, but it opened none');
  expectTrue(watchable, 'keep the WebSocket in the variable socket, as in the starter code');
  expectTrue(consumer.url.includes('/ws/backpressure?') && consumer.url.includes('mode=credit'), `keep the URL of the starter code (mode=credit), got ${consumer.url}`);
  if (consumer.close !== null && watch.data === 0) fail(`your socket closed with ${consumer.close.code} before any data came`);
  if (consumer.close !== null) {
    fail('your code waited until the stream was over, so the checks could not watch it: set up the listener and let your code end; the messages arrive later');
  }
  // In credit mode the server sends only against credit: once the socket has been
  // open a moment with no credit granted, no data can come, so stop waiting then.
  await within(5000, () => watch.data > 0 || (consumer.opened && watch.granted === 0 && consumer.received.length > 0));
  if (watch.data === 0 && watch.granted === 0) await within(1000, () => watch.granted > 0);
  if (watch.granted > 0 && watch.data === 0) await within(5000, () => watch.data > 0);
  if (watch.data > 0) return;
  if (watch.serverError !== null) fail(`the server refused what you sent: ${watch.serverError}`);
  if (watch.granted === 0) {
    fail("the server sent no data because you granted no credit: in credit mode it sends only against credit. When the hello arrives, send {type: 'credit', credits: WINDOW}");
  }
  fail(`you granted ${count(watch.granted)} credits, but no data came in 5 s`);
});

const complete = await check(`gives a credit back for each message: ${count(TOTAL)} processed`, async () => {
  if (!streaming) fail('needs the server to send first (see above)');
  const processed = variable('processed');
  expectTrue(Array.isArray(processed), `expected processed to be an array, got ${typeof processed}`);
  let seen = -1;
  let changedAt = Date.now();
  while (watch.data < TOTAL) {
    if (watch.data !== seen) {
      seen = watch.data;
      changedAt = Date.now();
    }
    if (Date.now() - changedAt > STALL_MS) {
      fail(
        `the stream stopped after ${count(watch.data)} messages: the server waits for credit, so give one back ({type: 'credit', credits: 1}) for every message you process`,
      );
    }
    if (watch.serverError !== null) fail(`the server refused what you sent: ${watch.serverError}`);
    if (consumer.close !== null) fail(`your socket closed with ${consumer.close.code} after ${count(watch.data)} messages`);
    await sleep(20);
  }
  expectTrue(processed.length >= TOTAL, `${count(watch.data)} messages arrived, but processed holds ${count(processed.length)}: push the seq of every data message`);
});

await check(`keeps at most WINDOW (${WINDOW}) messages outstanding`, () => {
  if (!streaming) fail('needs the server to send first (see above)');
  const overflow = watch.overflow;
  if (overflow !== null) {
    fail(
      `after message ${count(overflow.data)} you had granted ${count(overflow.granted)} credits in all, so the server could send ${count(overflow.outstanding)} more without waiting: grant WINDOW once, then one per message you process`,
    );
  }
});

await check('processes every message once, in order', () => {
  if (!complete) fail(`needs ${count(TOTAL)} messages first (see above)`);
  const processed = variable('processed');
  for (let index = 0; index < processed.length; index++) {
    const expected = index + 1;
    const seq = processed[index];
    if (seq === expected) continue;
    if (index === 0) fail(`the first message processed was ${JSON.stringify(seq)}, expected seq 1`);
    if (seq > expected) fail(`message ${count(index)} was followed by ${count(seq)}: a gap means a lost message`);
    fail(`message ${JSON.stringify(seq)} was processed twice (at position ${count(index + 1)})`);
  }
});

const closed = await check('asks the server to finish, and closes with 1000 once it has answered', async () => {
  if (!complete) fail(`needs ${count(TOTAL)} messages first (see above)`);
  if ((await within(3000, () => watch.finishAfter !== null)) === null) {
    fail(`you processed ${count(TOTAL)} messages but never asked the server to finish: send {type: 'finish'}`);
  }
  expectTrue(watch.finishAfter >= TOTAL, `you asked the server to finish after ${count(watch.finishAfter)} messages; ask after ${count(TOTAL)}`);
  const close = await waitFor(() => consumer.close, 'your socket to close once the finished message has come', 5000);
  if (watch.closedBeforeFinished === true) {
    fail("you closed before the server's finished message arrived, while messages it had sent could still be on their way: close when finished comes");
  }
  expectEqual(close.code, 1000, 'the close code');
});

await check('loses nothing: you processed every message the server sent', async () => {
  if (!closed) fail('needs the stream finished and closed first (see above)');
  // The server's own account, on the stats channel (kept 30 s after the end).
  const hello = parse(consumer.received[0]);
  const stats = new WebSocket(`${SERVER}/ws/backpressure/stats?id=${hello.statsId}`);
  let ended = null;
  stats.addEventListener('message', (event) => {
    const message = parse(event.data);
    if (message?.type === 'ended') ended = message;
  });
  await waitFor(() => ended, "the server's account of your connection", 5000);
  expectTrue(ended.cause === 'client-closed', `expected your code to close the connection, but the server says: ${ended.detail}`);
  const processed = variable('processed').length;
  const lost = ended.sent - processed;
  if (lost > 0) fail(`the server sent ${count(ended.sent)} messages but you processed ${count(processed)}: ${count(lost)} lost`);
});
