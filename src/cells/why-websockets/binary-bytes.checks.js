await check("sets binaryType to 'arraybuffer'", async () => {
  const socket = variable('socket');
  expectEqual(socket.binaryType, 'arraybuffer', 'binaryType');
});
await check('sends one binary message of four bytes: 1, 2, 3, 255', async () => {
  const socket = lastSocket();
  // Code that sends on open has sent by the time the open is seen; a moment's grace
  // covers code that sends just after. No need to wait out a long timeout.
  await waitFor(() => socket.opened || socket.close, 'the socket to open', 5000);
  if ((await within(1000, () => socket.sent.length >= 1)) === null) fail('expected a message once the socket opened, but your code sent nothing');
  const sent = socket.sent[0];
  expectTrue(typeof sent !== 'string', `expected a binary message, got the text ${JSON.stringify(sent)}`);
  const bytes = ArrayBuffer.isView(sent) ? [...new Uint8Array(sent.buffer, sent.byteOffset, sent.byteLength)] : [...new Uint8Array(sent)];
  expectEqual(bytes, [1, 2, 3, 255], 'the bytes sent');
});
await check('stores the echoed bytes in `echoedBytes`', async () => {
  // The echo server only answers what was sent: with nothing sent, no bytes can come back.
  expectTrue(lastSocket().sent.length > 0, 'your code sent nothing, so nothing can come back: fix the check above first');
  await waitFor(() => Array.isArray(variable('echoedBytes')) && variable('echoedBytes').length > 0, 'echoedBytes to be filled');
  expectEqual(variable('echoedBytes'), [1, 2, 3, 255], 'echoedBytes');
});
