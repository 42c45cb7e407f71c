/** The messages a socket received, parsed (anything that is not JSON is skipped). */
const parsed = (messages) =>
  messages.flatMap((data) => {
    try {
      return [JSON.parse(data)];
    } catch {
      return [];
    }
  });

/** How a closed socket ended, for failure messages. */
const ending = (socket) => (socket.close === null ? 'it is still open' : `the server closed it with ${socket.close.code}${socket.close.reason === '' ? '' : ` "${socket.close.reason}"`}`);

const socket = lastSocket();
let ticket = null;
let welcomed = false;

await check('carries a ticket: in the URL, or as the first message', async () => {
  const url = new URL(socket.url);
  expectEqual(url.pathname, '/ws/account/ticket', 'the socket\'s path');
  ticket = url.searchParams.get('ticket');
  if (ticket === null) {
    await within(2000, () => socket.sent.length > 0 || socket.close !== null);
    const first = parsed(socket.sent.slice(0, 1))[0];
    if (first?.type === 'auth') ticket = first.ticket;
  }
  expectTrue(
    typeof ticket === 'string' && ticket !== '',
    `expected ?ticket= in the URL or {"type":"auth","ticket":"…"} as the first message; the URL is ${socket.url} and the first message ${socket.sent.length === 0 ? 'was never sent' : JSON.stringify(socket.sent[0])}`,
  );
});

await check('the server welcomed it: the ticket was real', async () => {
  await within(7000, () => parsed(socket.received).some((message) => message.type === 'welcome') || socket.close !== null);
  welcomed = parsed(socket.received).some((message) => message.type === 'welcome');
  expectTrue(welcomed, `expected a welcome message, but ${ending(socket)}${socket.opened ? '' : ' (the handshake failed: a refused ticket in the URL shows as 1006)'}`);
});

await check('reads the general channel after the welcome', async () => {
  if (!welcomed) fail('there is no welcome yet: fix the check above first');
  const messages = await within(3000, () => parsed(socket.received).find((message) => message.type === 'messages' && message.channel === 'general'));
  const sent = parsed(socket.sent).map((message) => message.type);
  expectTrue(messages !== null, `expected the server's {"type":"messages","channel":"general"} answer to your {"type":"read","channel":"general"}; your code sent ${JSON.stringify(sent)}`);
});

await check('the ticket is spent: the server refuses it a second time (4409)', async () => {
  if (!welcomed || ticket === null) fail('there is no accepted ticket to try again: fix the checks above first');
  const again = new WebSocket(`${SERVER}/ws/account/ticket`);
  again.addEventListener('open', () => again.send(JSON.stringify({ type: 'auth', ticket })));
  const closed = await settle(
    new Promise((resolve) => {
      again.addEventListener('close', (event) => resolve(event.code));
    }),
  );
  if ('timedOut' in closed) fail('expected the server to close the second connection with 4409, but it stayed open for 5 s');
  expectEqual(closed.value, 4409, 'the close code for the same ticket used again');
});
