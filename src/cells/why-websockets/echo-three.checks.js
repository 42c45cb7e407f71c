await check('opens a WebSocket to /ws/echo', () => {
  expectEqual(lastSocket().url, `${SERVER}/ws/echo`, 'the socket URL');
});
await check("sends 'one', 'two' and 'three', in that order", async () => {
  const socket = lastSocket();
  await waitFor(() => socket.sent.length >= 3, 'three messages to be sent');
  expectEqual(socket.sent, ['one', 'two', 'three'], 'the messages sent');
});
await check('collects the three echoes in `echoes`', async () => {
  const echoes = variable('echoes');
  expectTrue(Array.isArray(echoes), `expected echoes to be an array, got ${typeof echoes}`);
  await waitFor(() => echoes.length >= 3, 'three echoes in `echoes`');
  expectEqual(echoes, ['one', 'two', 'three'], 'echoes');
});
await check('closes with code 1000', async () => {
  const close = await waitFor(() => lastSocket().close, 'the socket to close');
  expectEqual(close.code, 1000, 'the close code');
});
