// Freeze the server's side for 2 s: it stops reading, answering
// and sending, like a stopped process. Its timeout is 3 s.
const slow = new WebSocket(`${SERVER}/ws/heartbeat`);
await nextMessage(slow, 'welcome');
slow.send(JSON.stringify({ type: 'freeze', seconds: 2 }));
await nextMessage(slow, 'frozen');

// Ping the frozen server, then look at the connection meanwhile.
const pingedAt = performance.now();
slow.send(JSON.stringify({ type: 'ping', id: 1, sent: pingedAt }));
await sleep(500);
display({
  readyState: slow.readyState,
  bufferedAmount: slow.bufferedAmount,
  waitedMs: Math.round(performance.now() - pingedAt),
});

const late = await nextMessage(slow, 'pong');
slow.close(1000, 'thawed');
`pong ${late.id} after ${Math.round(performance.now() - late.sent)} ms`;
