/** `"text"`, or `"ééé…" (140 bytes)` for long reasons. */
const showReason = (reason) => {
  const bytes = new TextEncoder().encode(reason).length;
  return reason.length > 12 ? `${JSON.stringify(`${reason.slice(0, 6)}…`)} (${bytes} bytes)` : JSON.stringify(reason);
};

/** What the browser's close() means by each exception it throws. */
const WHY_CLOSE_THREW = {
  InvalidAccessError: ': close() accepts only 1000 and 3000–4999 from a page',
  SyntaxError: ': close() refuses a reason over 123 bytes of UTF-8',
};

// The observer hears, for each /ws/close connection, which close frame the page sent.
const observer = new WebSocket(`${SERVER}/ws/close/observe`);
const reports = [];
observer.addEventListener('message', (event) => reports.push(JSON.parse(event.data)));
const { observerId } = await waitFor(() => reports.find((message) => message.type === 'observer'), 'the close observer to say hello', 5000);
let runs = 0;

/** Calls safeClose on a fresh open socket and resolves with the close frame the server received. */
const closeVia = async (code, reason) => {
  const run = `safe-close-${++runs}`;
  const socket = new WebSocket(`${SERVER}/ws/close?observer=${observerId}&run=${run}`);
  await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
  const call = `safeClose(socket, ${code}, ${showReason(reason)})`;
  try {
    safeClose(socket, code, reason);
  } catch (error) {
    socket.close(1000);
    fail(`expected no exception from ${call}, got ${error.name}${WHY_CLOSE_THREW[error.name] ?? ''}`);
  }
  if (socket.readyState === WebSocket.OPEN) {
    socket.close(1000);
    fail(`expected ${call} to close the socket, but it is still open: did close() throw, and the error go unreported?`);
  }
  const { report } = await waitFor(() => reports.find((message) => message.run === run), `the server's report on ${call}`, 5000);
  if (report.clientSent === null) fail(`expected ${call} to send a close frame, but the connection ended without one`);
  return { call, received: report.clientSent };
};

await check('closes with a code a page may send as it is', async () => {
  for (const [code, reason] of [[4000, 'done here'], [1000, 'bye'], [3000, '']]) {
    const { call, received } = await closeVia(code, reason);
    expectEqual(received, { code, reason }, `the server to receive, after ${call},`);
  }
});

await check('turns a code a page may not send into 1000', async () => {
  for (const code of [1001, 1005, 1011, 2999, 5000]) {
    const { call, received } = await closeVia(code, 'leaving');
    expectEqual(received.code, 1000, `the server to receive, after ${call}, the code`);
  }
});

await check('keeps a reason of exactly 123 bytes', async () => {
  const reason = 'x'.repeat(123);
  const { call, received } = await closeVia(4000, reason);
  expectTrue(received.reason === reason, `expected the server to receive the whole reason after ${call}, got ${showReason(received.reason)}`);
});

await check('cuts a longer reason to at most 123 bytes of UTF-8, between characters', async () => {
  for (const [reason, expected] of [['é'.repeat(70), 'é'.repeat(61)], ['🙂'.repeat(40), '🙂'.repeat(30)], ['a' + 'é'.repeat(70), 'a' + 'é'.repeat(61)]]) {
    const { call, received } = await closeVia(4000, reason);
    expectTrue(received.reason === expected, `expected the server to receive ${showReason(expected)} after ${call}, got ${showReason(received.reason)}`);
  }
});

observer.close(1000, 'checked');
