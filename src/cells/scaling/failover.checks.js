/** Resolves with the next message on `socket` that `matches`. */
const nextFrom = (socket, matches) =>
  new Promise((resolve) => {
    socket.addEventListener('message', function listener(event) {
      const message = JSON.parse(event.data);
      if (!matches(message)) return;
      socket.removeEventListener('message', listener);
      resolve(message);
    });
  });

// Two "instances" of one room: the first restarts (closes with 1012) 1.5 s
// after each connection; ?instance=b tells the second apart (both are this
// one demo server, which ignores the parameter).
const followedRoom = `follow-${crypto.randomUUID().slice(0, 8)}`;
const instanceUrls = [`${SERVER}/ws/chat/${followedRoom}?restartAfterMs=1500`, `${SERVER}/ws/chat/${followedRoom}?instance=b`];
const poster = new WebSocket(`${SERVER}/ws/chat/${followedRoom}`);
const { epoch: roomEpoch } = await nextFrom(poster, (message) => message.type === 'welcome');
/** Posts `text` and resolves with its id once the server has logged it. */
const post = async (text) => {
  const acked = nextFrom(poster, (message) => message.type === 'ack' && message.clientId === text);
  poster.send(JSON.stringify({ type: 'say', text, clientId: text }));
  return (await acked).id;
};
const followerSockets = () => sockets().filter((socket) => socket.url.includes(followedRoom) && socket.url !== poster.url);
const delivered = [];
let follower = null;
let firstId = null;

await check('returns an object with stop()', () => {
  const followRoomFunction = variable('followRoom');
  expectTrue(typeof followRoomFunction === 'function', `expected followRoom to be a function, got ${typeof followRoomFunction}`);
  follower = followRoomFunction(instanceUrls, (message) => delivered.push(message));
  expectTrue(typeof follower?.stop === 'function', `expected followRoom to return { stop() }, got ${JSON.stringify(follower)}`);
});

await check('connects to the first URL and hands live messages to onMessage', async () => {
  const first = await waitFor(() => followerSockets()[0]?.received.length > 0 && followerSockets()[0], 'the welcome on your first connection', 3000);
  expectTrue(first.url === instanceUrls[0], `expected your first connection to go to urls[0], ${instanceUrls[0]}; it went to ${first.url}`);
  firstId = await post('one');
  await waitFor(() => delivered.length > 0, 'onMessage to be called with the message "one"', 3000);
  expectEqual(delivered[0]?.text, 'one', 'the first message handed to onMessage to have the text');
});

await check('after the server closes with 1012, connects to the next URL', async () => {
  await waitFor(() => followerSockets()[0]?.close, 'the first instance to restart (close 1012)', 4000);
  // The room goes on while the follower is away.
  await post('two');
  await post('three');
  const second = await waitFor(() => followerSockets()[1], 'a new connection after the 1012', 4000);
  const instance = new URL(second.url).searchParams.get('instance');
  expectTrue(instance === 'b', `expected the new connection to go to the next URL, urls[1] (?instance=b): that instance is up, the first is restarting; it went to ${second.url}`);
});

await check('asks the next instance for what came after the last id it saw', () => {
  const second = followerSockets()[1];
  const query = second === undefined ? null : new URL(second.url).searchParams;
  expectTrue(
    query !== null && query.get('since') === String(firstId) && query.get('epoch') === roomEpoch,
    `expected the new connection to carry ?since=${firstId}&epoch=${roomEpoch} (the id of "one", the last event you saw, and the room's epoch), so the instance sends what you missed; it connected to ${second?.url}`,
  );
});

await check('hands every message to onMessage once, in id order, across the restart', async () => {
  await waitFor(() => followerSockets()[1]?.received.length > 0, 'the welcome on the new connection', 3000);
  await post('four');
  await within(1500, () => delivered.length >= 4 && delivered.some((message) => message.text === 'four'));
  await sleep(200);
  const texts = delivered.map((message) => message.text);
  if (!texts.includes('two') || !texts.includes('three')) {
    fail(`expected "two" and "three", posted while you were reconnecting, to come in the new welcome's history; onMessage got ${JSON.stringify(texts)}`);
  }
  expectEqual(texts, ['one', 'two', 'three', 'four'], 'onMessage to get, in order,');
});

await check('stop() closes with 1000 and does not reconnect', async () => {
  const openAtStop = followerSockets().filter((socket) => socket.readyState <= WebSocket.OPEN);
  const opened = followerSockets().length;
  follower?.stop();
  for (const socket of openAtStop) {
    await waitFor(() => socket.close, 'your connection to close after stop()', 3000);
    expectEqual(socket.close.code, 1000, 'the close code after stop()');
  }
  await sleep(800);
  expectEqual(followerSockets().length, opened, 'the number of connections 800 ms after stop() (no new one) to be');
});

poster.close(1000, 'checked');
