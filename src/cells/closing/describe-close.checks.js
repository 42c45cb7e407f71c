/** Opens /ws/close?<request> and resolves with the close event the page gets. */
const closeEventFor = async (request) => {
  const socket = new WebSocket(`${SERVER}/ws/close?${request}`);
  return new Promise((resolve) => socket.addEventListener('close', resolve, { once: true }));
};

/** Fails unless describeClose says `expected` about the real close of each request. */
const expectDescriptions = async (requests, expected, why) => {
  const describeCloseFunction = variable('describeClose');
  expectTrue(typeof describeCloseFunction === 'function', `expected describeClose to be a function, got ${typeof describeCloseFunction}`);
  for (const request of requests) {
    const event = await closeEventFor(request);
    const answer = describeCloseFunction(event);
    const seen = `code ${event.code}, wasClean ${event.wasClean}`;
    if (answer !== expected) fail(`expected ${JSON.stringify(expected)} for the close of /ws/close?${request} (${seen}), got ${JSON.stringify(answer)}: ${why}`);
  }
};

await check("says 'clean' when the closing handshake completed with a code", async () => {
  await expectDescriptions(['code=1000', 'code=4401&reason=token%20expired', 'code=1012'], 'clean', 'a clean close can carry any code; wasClean says whether the handshake completed');
});

await check("says 'no status' for a close frame with no code", async () => {
  await expectDescriptions(['action=no-status'], 'no status', 'the server sent a close frame with an empty body, which the page sees as 1005; the handshake still completed');
});

await check("says 'abnormal' when there was no closing handshake", async () => {
  await expectDescriptions(['action=drop', 'action=invalid-utf8'], 'abnormal', 'no close frame came back (1006): the connection was dropped or failed');
});
