/** A socket to `path`, open. */
const connect = async (path) => {
  const socket = new WebSocket(`${SERVER}${path}`);
  await waitFor(() => socket.readyState === WebSocket.OPEN, `the checker to connect to ${path}`, 5000);
  return socket;
};

/** ping(socket, timeoutMs), or a failure naming what it threw. */
const callPing = (socket, timeoutMs) => {
  try {
    return ping(socket, timeoutMs);
  } catch (error) {
    return fail(`ping(socket, ${timeoutMs}) threw ${error} instead of returning a promise`);
  }
};

await check('defines ping(socket, timeoutMs)', () => {
  const value = variable('ping');
  expectTrue(typeof value === 'function', `expected ping to be a function, got ${typeof value}`);
});

// A link of 500 ms each way, with prices flowing: a round trip takes at least 1000 ms.
const ticker = await connect('/ws/ticker?latencyMs=500');
ticker.send(JSON.stringify({ type: 'subscribe', symbols: ['AAPL', 'SPY', 'BTC-USD'] }));
await sleep(1200);
/** The pings ping() sent on the checker's ticker. */
const pingsSent = () =>
  sockets()
    .filter((socket) => socket.url.endsWith('/ws/ticker?latencyMs=500'))
    .flatMap((socket) => socket.sent)
    .map((data) => {
      try {
        return JSON.parse(data);
      } catch {
        return data;
      }
    })
    .filter((message) => message?.type !== 'subscribe' && message?.id !== -1);

await check('sends {type: "ping", id, sent} and resolves with the round trip when its pong comes', async () => {
  const outcome = await settle(callPing(ticker, 4000), 6000);
  const [sent] = pingsSent();
  if (sent === undefined) fail('ping(ticker, 4000) sent nothing on the socket it was given');
  const fields = typeof sent === 'object' && sent !== null ? sent : {};
  if (fields.type !== 'ping' || typeof fields.id !== 'number' || typeof fields.sent !== 'number') {
    fail(`expected ping to send {type: "ping", id, sent} with numbers for id and sent, got ${JSON.stringify(sent)}`);
  }
  if (outcome.timedOut) fail('ping(ticker, 4000) neither resolved nor rejected within 6 s');
  if ('error' in outcome) fail(`expected ping(ticker, 4000) to resolve, on a link where a pong takes about 1000 ms; it rejected with ${outcome.error}`);
  expectTrue(typeof outcome.value === 'number', `expected a round trip in ms, got ${JSON.stringify(outcome.value)}`);
  expectTrue(
    outcome.value >= 900 && outcome.value < 10_000,
    `expected about 1000 ms (500 ms each way), got ${outcome.value}: resolve when the pong arrives, not on the first message (prices arrive all the time)`,
  );
});

await check('gives each ping its own id, so two can be in flight at once', async () => {
  const before = pingsSent().length;
  const socketCount = sockets().length;
  const outcomes = await Promise.all([settle(callPing(ticker, 4000), 6000), settle(callPing(ticker, 4000), 6000)]);
  expectTrue(sockets().length === socketCount, 'ping opened a socket of its own: send on the socket it is given');
  const ids = pingsSent().map((message) => message?.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined) {
    fail(`ping sent id ${JSON.stringify(repeated)} more than once (ids sent: ${ids.slice(0, before + 2).join(', ')}): the first pong with that id would answer every ping that used it`);
  }
  outcomes.forEach((outcome, index) => {
    if (!('value' in outcome)) fail(`expected both pings to resolve; ping ${index + 1} ${outcome.timedOut ? 'is still waiting' : `rejected with ${outcome.error}`}`);
  });
});

ticker.close(1000, 'checked');

await check("ignores the pong to somebody else's ping", async () => {
  // A quiet link (no prices): another part of the program pinged 400 ms earlier, and its pong arrives first.
  const quiet = await connect('/ws/ticker?latencyMs=500');
  let welcomed = false;
  quiet.addEventListener('message', () => (welcomed = true), { once: true });
  await waitFor(() => welcomed, 'the welcome on a second ticker connection', 5000);
  quiet.send(JSON.stringify({ type: 'ping', id: -1, sent: 0 }));
  await sleep(400);
  const outcome = await settle(callPing(quiet, 4000), 6000);
  quiet.close(1000, 'checked');
  if (outcome.timedOut) fail('ping(socket, 4000) neither resolved nor rejected within 6 s');
  if ('error' in outcome) fail(`expected ping(socket, 4000) to resolve; it rejected with ${outcome.error}`);
  expectTrue(
    outcome.value >= 900 && outcome.value < 10_000,
    `expected about 1000 ms, got ${outcome.value}: that was the pong to ping -1, sent 400 ms before yours; wait for the pong that carries your ping's id`,
  );
});

await check('rejects with an Error after timeoutMs when no pong comes', async () => {
  // The echo server sends the ping itself back: a message, but never a pong.
  const echo = await connect('/ws/echo');
  const started = Date.now();
  const outcome = await settle(callPing(echo, 300), 3000);
  echo.close(1000, 'checked');
  if (outcome.timedOut) fail('ping(echoSocket, 300) is still waiting after 3 s: reject when timeoutMs has passed without a pong');
  if ('value' in outcome) fail(`expected ping(echoSocket, 300) to reject, because /ws/echo never sends a pong; it resolved with ${JSON.stringify(outcome.value)}`);
  expectTrue(outcome.error instanceof Error, `expected to be rejected with an Error, got ${JSON.stringify(outcome.error)}`);
  expectTrue(Date.now() - started >= 250, `expected the rejection after about 300 ms, got it after ${Date.now() - started} ms`);
});
