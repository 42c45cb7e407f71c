/** Polls `probe` every 50 ms for up to `timeoutMs`; true as soon as it holds. */
const eventually = async (probe, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
};

/** The messages a socket received, parsed (anything that is not JSON is skipped). */
const parsed = (messages) =>
  messages.flatMap((data) => {
    try {
      return [JSON.parse(data)];
    } catch {
      return [];
    }
  });

const room = variable('room');
const reader = lastSocket();
let readerName = null;
let said = null;
let other = null;
let otherName = null;
let membersFollowedJoin = false;

await check('joins the room in `room`', async () => {
  expectEqual(reader.url, `${SERVER}/ws/chat/${room}`, 'the socket URL');
  const welcome = await waitFor(() => parsed(reader.received).find((message) => message.type === 'welcome'), 'the welcome message', 5000);
  readerName = welcome.you;
});

await check('says "hello" to the room', async () => {
  // The welcome has arrived (check 1), so a hello sent on open or on the welcome is
  // already out; a moment's grace covers code that sends just after.
  await eventually(() => reader.sent.length > 0, 1000);
  const text = reader.sent.find((data) => typeof data === 'string');
  if (text === undefined) fail('expected your code to send a say message, but it sent nothing');
  said = parsed(reader.sent).find((message) => message.type === 'say');
  if (said === undefined) fail(`expected a JSON message like {"type":"say","text":"hello"}, got ${JSON.stringify(text)}`);
  expectEqual(said.text, 'hello', 'the text of your say');
});

await check('the room logged your hello, from the name the server gave you', async () => {
  if (said === undefined || said === null || readerName === null) fail('there is no hello to look for yet: fix the checks above first');
  other = new WebSocket(`${SERVER}/ws/chat/${room}`);
  // What the checker sees: the welcome's history, then live events.
  const seen = [];
  other.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'welcome') {
      otherName = message.you;
      seen.push(...message.history);
    } else {
      seen.push(message);
    }
  });
  const findHello = () => seen.find((event) => event.type === 'message' && event.text === 'hello');
  // Your hello is normally in the welcome's history; allow for it still being on its way.
  await eventually(() => findHello() !== undefined, 3000);
  const hello = findHello();
  if (otherName === null) fail('the checker could not join your room');
  const refusal = parsed(reader.received).find((message) => message.type === 'error');
  const why = refusal === undefined ? '' : `; the server answered your code with ${refusal.error}: ${refusal.message}`;
  expectTrue(hello !== undefined, `expected the room's history to hold a message "hello", but it has none${why}`);
  expectEqual(hello.from, readerName, 'the sender of "hello"');
});

await check('`members` starts from the welcome', async () => {
  if (readerName === null) fail('there is no welcome to start from: fix the first check');
  // The welcome arrived before check 1 passed, and a handler that reads it ran then.
  const found = await eventually(() => Array.isArray(variable('members')) && variable('members').includes(readerName), 1000);
  expectTrue(found, `expected members to include your own name ${JSON.stringify(readerName)} (the welcome lists you), got ${JSON.stringify(variable('members'))}`);
});

await check('`members` adds whoever joins', async () => {
  if (otherName === null) fail('the checker has not joined: fix the checks above first');
  membersFollowedJoin = await eventually(() => Array.isArray(variable('members')) && variable('members').includes(otherName), 3000);
  expectTrue(membersFollowedJoin, `expected members to include ${JSON.stringify(otherName)}, who joined after you, got ${JSON.stringify(variable('members'))}: handle the "joined" message`);
});

await check('`members` drops whoever leaves', async () => {
  if (other === null) fail('the checker has not joined: fix the checks above first');
  if (!membersFollowedJoin) fail(`${JSON.stringify(otherName)} never appeared in members, so there is no leaving to see: fix the check above first`);
  other.close(1000, 'checked');
  const gone = await eventually(() => Array.isArray(variable('members')) && !variable('members').includes(otherName), 3000);
  expectTrue(gone, `expected members to lose ${JSON.stringify(otherName)}, who left, got ${JSON.stringify(variable('members'))}: handle the "left" message`);
});
