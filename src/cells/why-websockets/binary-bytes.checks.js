await check("sets binaryType to 'arraybuffer'", async () => {
  const socket = variable('socket');
  expectEqual(socket.binaryType, 'arraybuffer', 'binaryType');
});
await check('sends one binary message of four bytes: 1, 2, 3, 255', async () => {
  const socket = lastSocket();
  await waitFor(() => socket.sent.length >= 1, 'a message to be sent');
  const sent = socket.sent[0];
  expectTrue(typeof sent !== 'string', `expected a binary message, got the text ${JSON.stringify(sent)}`);
  const bytes = ArrayBuffer.isView(sent) ? [...new Uint8Array(sent.buffer, sent.byteOffset, sent.byteLength)] : [...new Uint8Array(sent)];
  expectEqual(bytes, [1, 2, 3, 255], 'the bytes sent');
});
await check('stores the echoed bytes in `echoedBytes`', async () => {
  await waitFor(() => Array.isArray(variable('echoedBytes')) && variable('echoedBytes').length > 0, 'echoedBytes to be filled');
  expectEqual(variable('echoedBytes'), [1, 2, 3, 255], 'echoedBytes');
});
