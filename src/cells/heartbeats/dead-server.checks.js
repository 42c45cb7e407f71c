const parse = (data) => {
  try {
    return JSON.parse(typeof data === 'string' ? data : '');
  } catch {
    return null;
  }
};
const FREEZE_MS = 5000;
/** Detection should take PONG_TIMEOUT_MS plus a ping interval; this leaves room for a busy machine. */
const DETECT_WITHIN_MS = 4000;

// Watch the connections as they come and go, with the time each appeared.
let frozeAt = null;
const appearedAt = [];
setInterval(() => {
  const all = sockets();
  while (appearedAt.length < all.length) appearedAt.push(Date.now());
  if (frozeAt === null && all[0]?.received.some((data) => parse(data)?.type === 'frozen')) frozeAt = Date.now();
}, 20);

const pingsOn = (socket) => socket.sent.map(parse).filter((message) => message?.type === 'ping');
const first = () => sockets()[0];

const pinging = await check('pings the server every 500 ms', async () => {
  await waitFor(() => first(), 'your code to open a socket to /ws/heartbeat', 3000);
  const pings = await within(4000, () => pingsOn(first()).length >= 2 && pingsOn(first()));
  if (pings === null) fail(`expected {type: 'ping', id, sent} every 500 ms; your code sent ${String(pingsOn(first()).length)} pings in 4 s`);
  for (const ping of pings) {
    expectTrue(Number.isInteger(ping.id) && typeof ping.sent === 'number', `expected each ping as {type: 'ping', id, sent} with numbers, got ${JSON.stringify(ping)}`);
  }
});

const detected = await check('notices the frozen server within 4 s and drops the connection', async () => {
  await waitFor(() => frozeAt, "the server's frozen message (keep the experiment at the end of the code)", 5000);
  const noticed = await within(frozeAt + DETECT_WITHIN_MS - Date.now(), () => first().readyState >= 2);
  if (noticed === null) {
    fail(
      pinging
        ? `the server has been frozen for ${String(DETECT_WITHIN_MS / 1000)} s and your connection is still open: when no pong has come for PONG_TIMEOUT_MS, call socket.reconnect(4000, 'heartbeat timeout')`
        : `the server has been frozen for ${String(DETECT_WITHIN_MS / 1000)} s and your connection is still open: ping it, and when no pong has come for PONG_TIMEOUT_MS, call socket.reconnect(4000, 'heartbeat timeout')`,
    );
  }
});

await check('closes the dead connection with 4000', async () => {
  if (!detected) fail('needs the dead connection to be dropped first (see above)');
  // The frozen server reads the close frame only when it thaws, and answers it then.
  const close = await waitFor(() => first().close, 'the dead connection to finish closing', FREEZE_MS + 5000);
  expectEqual(close.code, 4000, 'the close code');
});

const reconnected = await check('tries again, waiting longer each time, until the server is back', async () => {
  if (!detected) fail('needs the dead connection to be dropped first (see above)');
  // The position of the first connection after the dead one that opened (≥ 1, so truthy), or null.
  const back = await within(15_000, () => {
    const index = sockets().findIndex((socket, position) => position > 0 && socket.opened);
    return index === -1 ? null : index;
  });
  if (back === null) {
    fail(`no new connection opened within 15 s of the freeze ending (${String(sockets().length - 1)} attempts): keep trying, with a growing delay (ReconnectingWebSocket does both)`);
  }
  const refused = back - 1;
  expectTrue(refused >= 1, 'expected at least one refused attempt while the server was frozen, got none');
  expectTrue(refused <= 8, `expected a few attempts during the 5 s freeze, got ${String(refused)}: wait longer after each failure`);
  // Waits between attempts, from the first attempt to the one that opened. Jitter makes
  // neighbours close, so compare the last wait with the first, and only given a few of them.
  const waits = appearedAt.slice(2, back + 1).map((at, index) => at - appearedAt[index + 1]);
  if (waits.length >= 3 && waits.at(-1) < 1.5 * waits[0]) {
    fail(`expected the waits between attempts to grow; they were ${waits.map((ms) => String(Math.round(ms))).join(', ')} ms: wait longer after each failure (ReconnectingWebSocket does)`);
  }
});

await check('subscribes to wind again on the new connection', async () => {
  if (!reconnected) fail('needs a new connection first (see above)');
  const fresh = sockets().slice(1).find((socket) => socket.opened);
  const subscribed = await within(3000, () => fresh.sent.map(parse).some((message) => message?.type === 'subscribe' && message.topic === 'wind'));
  if (subscribed === null) fail("the new connection never subscribed to wind: subscribe in an 'open' listener, so every connection does");
  await waitFor(() => fresh.received.map(parse).some((message) => message?.type === 'update' && message.topic === 'wind'), 'a wind update on the new connection', 3000);
});
