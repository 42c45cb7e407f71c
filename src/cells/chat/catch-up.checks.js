/** Resolves with the next message on `socket` that `matches`. */
const next = (socket, matches) =>
  new Promise((resolve) => {
    socket.addEventListener('message', function listener(event) {
      const message = JSON.parse(event.data);
      if (!matches(message)) return;
      socket.removeEventListener('message', listener);
      resolve(message);
    });
  });

// A room with a past: the returning member saw "x" and "y", and missed "a", "b" and "c".
const room = `catch-up-${crypto.randomUUID().slice(0, 8)}`;
const writer = new WebSocket(`${SERVER}/ws/chat/${room}`);
const { epoch } = await next(writer, (message) => message.type === 'welcome');
writer.send(JSON.stringify({ type: 'say', text: 'x' }));
writer.send(JSON.stringify({ type: 'say', text: 'y', clientId: 'seen' }));
const { id: lastId } = await next(writer, (message) => message.type === 'ack' && message.clientId === 'seen');
for (const text of ['a', 'b', 'c']) writer.send(JSON.stringify({ type: 'say', text, clientId: `missed-${text}` }));
await next(writer, (message) => message.type === 'ack' && message.clientId === 'missed-c');
/** Sockets opened from here on are catchUp's. */
const socketsBefore = sockets().length;
const call = `catchUp(${JSON.stringify(room)}, ${lastId}, ${JSON.stringify(epoch)})`;

await check('defines catchUp(room, lastId, epoch)', () => {
  const catchUpFunction = variable('catchUp');
  expectTrue(typeof catchUpFunction === 'function', `expected catchUp to be a function, got ${typeof catchUpFunction}`);
});

await check('resolves with exactly the messages after lastId, in order', async () => {
  const outcome = await settle(catchUp(room, lastId, epoch));
  if (outcome.timedOut) fail(`expected ${call} to resolve within 5 s, but it is still waiting`);
  if ('error' in outcome) fail(`expected ${call} to resolve, but it rejected with ${outcome.error}`);
  const texts = outcome.value;
  if (Array.isArray(texts) && (texts.includes('x') || texts.includes('y'))) {
    fail(`expected ["a","b","c"], got ${JSON.stringify(texts)}: messages up to #${lastId}, which this member had seen, came back too`);
  }
  expectEqual(texts, ['a', 'b', 'c'], `${call} to resolve with`);
});

await check('asks the server for what came after lastId, in that epoch', () => {
  const opened = sockets().slice(socketsBefore);
  expectTrue(opened.length > 0, 'expected catchUp to open a WebSocket to the room, but it opened none');
  const url = new URL(opened[0].url);
  const asked = `since=${lastId}&epoch=${epoch}`;
  expectTrue(
    url.searchParams.get('since') === String(lastId) && url.searchParams.get('epoch') === epoch,
    `expected catchUp to connect with ?${asked} in the URL, so the server sends only what came after #${lastId}; it connected to ${opened[0].url}`,
  );
});

await check('rejects when the ids belong to an earlier life of the room', async () => {
  const staleCall = `catchUp(${JSON.stringify(room)}, ${lastId}, "stale0epoch")`;
  const outcome = await settle(catchUp(room, lastId, 'stale0epoch'));
  if (outcome.timedOut) fail(`expected ${staleCall} to reject within 5 s, but it is still waiting`);
  if ('value' in outcome) {
    fail(`expected ${staleCall} to reject, because the welcome's resume status is "reset" and what was missed cannot be known; it resolved with ${JSON.stringify(outcome.value)}`);
  }
});

await check('closes the socket it opened', async () => {
  const opened = sockets().slice(socketsBefore);
  const stillOpen = () => opened.filter((socket) => socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN).length;
  for (let waited = 0; waited < 3000 && stillOpen() > 0; waited += 50) await sleep(50);
  expectTrue(stillOpen() === 0, `expected catchUp to close its socket once it has the welcome, but ${stillOpen()} of ${opened.length} are still open: each one is a member who never leaves the room`);
});

writer.close(1000, 'checked');
