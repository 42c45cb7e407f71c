const socket = lastSocket();

await check('offers xml.v3, then json.v1', async () => {
  // The server's first message reports the request headers as they arrived.
  const first = await waitFor(() => socket.received[0], 'the handshake report from the server', 5000);
  const headers = JSON.parse(first).requestHeaders ?? [];
  const offered = headers.find(([name]) => name.toLowerCase() === 'sec-websocket-protocol')?.[1];
  if (offered === undefined) fail("your socket offered no subprotocol: pass them as the second argument, new WebSocket(url, ['xml.v3', 'json.v1'])");
  expectEqual(offered, 'xml.v3, json.v1', 'the Sec-WebSocket-Protocol header');
});

await check('the server chose json.v1, and `chosen` says so', async () => {
  await waitFor(() => socket.opened, 'the socket to open', 5000);
  expectEqual(socket.protocol, 'json.v1', 'the negotiated subprotocol');
  expectEqual(variable('chosen'), 'json.v1', 'chosen (read socket.protocol once the socket is open)');
});

await check('sends {"hello":"json"} as JSON text', async () => {
  // The socket is open by now, so a message sent on open is already out; a
  // moment's grace covers code that sends just after.
  const sent = await waitFor(() => socket.sent[0], 'your message to be sent', 1000);
  expectTrue(typeof sent === 'string', 'expected a text message with JSON in it, got a binary message');
  let parsed;
  try {
    parsed = JSON.parse(sent);
  } catch {
    fail(`expected JSON text, got ${JSON.stringify(sent)}: use JSON.stringify({ hello: 'json' })`);
  }
  expectEqual(parsed, { hello: 'json' }, 'the message sent');
});

await check('stores the echo, parsed, in `echoed`', async () => {
  expectTrue(socket.sent.length > 0, 'your code sent nothing, so nothing came back to store: fix the check above first');
  await waitFor(() => variable('echoed') !== null, '`echoed` to be set', 5000);
  const echoed = variable('echoed');
  if (typeof echoed === 'object' && echoed !== null && typeof echoed.type === 'string') {
    fail(`echoed is the server's {type: "${echoed.type}"} report, not your echo: the echo is the message right after the {type: "reply"} report`);
  }
  if (typeof echoed === 'string') fail(`expected the echo parsed into an object, got the text ${JSON.stringify(echoed)}: use JSON.parse`);
  expectEqual(echoed, { hello: 'json' }, 'echoed');
});

await check('closes with code 1000 once the echo is in', async () => {
  expectTrue(variable('echoed') !== null || socket.close !== null, 'the socket is still open and `echoed` is not set: close the socket with 1000 once the echo is in');
  const close = await waitFor(() => socket.close, 'the socket to close', 5000);
  expectEqual(close.code, 1000, 'the close code');
});
