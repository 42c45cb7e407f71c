await check('opens a WebSocket to /ws/echo', () => {
  expectEqual(lastSocket().url, `${SERVER}/ws/echo`, 'the socket URL');
});
await check("sends 'one', 'two' and 'three', in that order", async () => {
  const socket = lastSocket();
  // Code that sends on open has sent by the time the open is seen; a moment's grace
  // covers code that sends just after. No need to wait out a long timeout.
  await waitFor(() => socket.opened || socket.close, 'the socket to open', 5000);
  if ((await within(1000, () => socket.sent.length >= 3)) === null) {
    fail(`expected three messages once the socket opened, but your code sent ${socket.sent.length === 0 ? 'nothing' : JSON.stringify(socket.sent)}`);
  }
  expectEqual(socket.sent, ['one', 'two', 'three'], 'the messages sent');
});
await check('collects the three echoes in `echoes`', async () => {
  const echoes = variable('echoes');
  expectTrue(Array.isArray(echoes), `expected echoes to be an array, got ${typeof echoes}`);
  // The echo server only answers what was sent: with nothing sent, no echo can come.
  expectTrue(lastSocket().sent.length > 0, 'your code sent nothing, so nothing can come back: fix the check above first');
  await waitFor(() => echoes.length >= 3, 'three echoes in `echoes`');
  expectEqual(echoes, ['one', 'two', 'three'], 'echoes');
});
await check('closes with code 1000', async () => {
  const socket = lastSocket();
  // The close comes after the third echo; without three echoes it cannot come.
  const echoes = variable('echoes');
  if (socket.close === null && !(Array.isArray(echoes) && echoes.length >= 3)) {
    fail('the socket is still open and the three echoes never came, so the close that follows them cannot happen: fix the checks above first');
  }
  const close = await waitFor(() => socket.close, 'the socket to close');
  expectEqual(close.code, 1000, 'the close code');
});
