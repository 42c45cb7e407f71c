// Be the slow consumer. The server sends 50 messages a second; for
// the first two seconds, this handler keeps the kernel's thread busy
// for 40 ms on each message, so it can do only 25 a second.
const SLOW_FOR_MS = 2000;
const WORK_MS = 40;
const slow = new WebSocket(`${SERVER}/ws/backpressure?messagesPerSecond=50&messageBytes=2048`);
let startedAt = null;
let processed = 0;
let ageMs = 0;
let whenItSpedUp = null;

slow.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'hello') {
    startedAt = performance.now();
    return;
  }
  if (performance.now() - startedAt < SLOW_FOR_MS) {
    // Busy, like a handler doing real work: nothing else runs meanwhile.
    const until = performance.now() + WORK_MS;
    while (performance.now() < until) {
      // working
    }
  } else if (whenItSpedUp === null) {
    whenItSpedUp = { processed, ageOfLastMs: ageMs };
  }
  processed += 1;
  // Both clocks are this machine's here; across machines, correct with hello.serverTime.
  ageMs = Date.now() - message.producedAt;
});

await sleep(SLOW_FOR_MS + 500);
slow.close(1000, 'caught up');
display(whenItSpedUp);
({ processed, ageOfLastMs: ageMs });
