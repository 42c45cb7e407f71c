/** The messages a socket received, parsed (anything that is not JSON is skipped). */
const parsed = (messages) =>
  messages.flatMap((data) => {
    try {
      return [JSON.parse(data)];
    } catch {
      return [];
    }
  });

const welcomed = (socket) => parsed(socket.received).some((message) => message.type === 'welcome');
const ending = (close) => `${close.code}${close.reason === '' ? '' : ` "${close.reason}"`}`;

const HTTP = SERVER.replace(/^ws/, 'http');
// Short credentials: the server closes with 4401 two seconds after the welcome.
const URL_2S = `${SERVER}/ws/account/ticket?sessionMs=2000`;

const login = await fetch(`${HTTP}/account/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'checker' }) });
expectTrue(login.ok, `the checker could not log in: HTTP ${login.status}`);

/** A real ticket from the server. */
const realTicket = async () => {
  const response = await fetch(`${HTTP}/account/ticket`, { method: 'POST' });
  if (!response.ok) fail(`the checker could not get a ticket: HTTP ${response.status}`);
  return (await response.json()).ticket;
};

/**
 * Starts stayAuthenticated with a getTicket of its own, which hands out
 * `tickets()` until the next run starts; from then on it never answers, so
 * an earlier run cannot open connections that a later check would count.
 */
const runs = [];
const start = (tickets) => {
  for (const run of runs) run.over = true;
  const run = { over: false, calls: 0, before: sockets().length };
  runs.push(run);
  const getTicket = async () => {
    if (run.over) return new Promise(() => {});
    run.calls += 1;
    return tickets();
  };
  variable('stayAuthenticated')(getTicket, URL_2S);
  run.opened = () => sockets().slice(run.before);
  return run;
};

const fn = variable('stayAuthenticated');
expectTrue(typeof fn === 'function', `expected stayAuthenticated to be a function, got ${typeof fn}`);

let first = null;
let refreshing = null;

await check('connects with a ticket as the first message and is welcomed', async () => {
  refreshing = start(realTicket);
  first = await waitFor(() => refreshing.opened()[0], 'your code to open a WebSocket', 3000);
  expectEqual(first.url, URL_2S, 'the URL of the socket');
  await within(3000, () => welcomed(first) || first.close !== null);
  expectTrue(welcomed(first), `expected a welcome, but ${first.close === null ? 'none came' : `the server closed with ${ending(first.close)}`}; your first message was ${JSON.stringify(first.sent[0] ?? null)}`);
});

await check('after 4401, gets a new ticket and is welcomed again', async () => {
  if (first === null || !welcomed(first)) fail('there is no welcomed connection to expire: fix the check above first');
  const close = await waitFor(() => first.close, 'the server to close with 4401 (the credentials last 2 s)', 4000);
  expectEqual(close.code, 4401, 'the close code when the credentials expired');
  const second = await within(3000, () => refreshing.opened()[1]);
  expectTrue(second !== null, 'expected your code to connect again after 4401, but it opened no new connection within 3 s');
  await within(3000, () => welcomed(second) || second.close !== null);
  if (!welcomed(second) && second.close?.code === 4409) {
    fail(`your code reconnected with the same ticket, and the server closed with ${ending(second.close)}: call getTicket() again for each connection`);
  }
  expectTrue(welcomed(second), `expected the new connection to be welcomed, but ${second.close === null ? 'no welcome came' : `the server closed it with ${ending(second.close)}`}`);
  expectEqual(refreshing.calls, 2, 'the number of getTicket() calls (one per connection)');
});

/** Starts a run whose tickets the server refuses with `code`, and checks that nothing reconnects for 2.5 s after. */
const expectNoReconnect = async (tickets, code) => {
  const run = start(tickets);
  const refused = await waitFor(() => run.opened()[0], 'your code to open a WebSocket', 3000);
  const close = await waitFor(() => refused.close, `the server to refuse the ticket with ${code}`, 3000);
  expectEqual(close.code, code, 'the close code of the refused ticket');
  const again = await within(2500, () => run.opened().length > 1);
  const count = run.opened().length - 1;
  expectTrue(again === null, `after the server closed with ${ending(close)}, your code connected again ${count === 1 ? 'once' : `${count} times`} within 2.5 s: a refused ticket is refused again, so stop`);
};

await check('stops after a forged ticket is refused (4403)', async () => {
  // Well-formed, but never issued by the server.
  await expectNoReconnect(() => 'Zm9yZ2VkLWJ5LXRoZS1jaGVja2VyLTAw', 4403);
});

await check('stops after a used ticket is refused (4409)', async () => {
  const spent = await realTicket();
  const use = new WebSocket(`${SERVER}/ws/account/ticket?ticket=${spent}`);
  await settle(new Promise((resolve) => use.addEventListener('open', resolve)));
  use.close(1000, 'spent');
  await expectNoReconnect(() => spent, 4409);
});

for (const run of runs) run.over = true;
