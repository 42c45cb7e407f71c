// rate=1: this socket is for a clock probe, not for samples.
const clockSocket = new WebSocket(`${SERVER}/ws/realtime?rate=1`);
await new Promise((resolve) => {
  clockSocket.addEventListener('open', resolve, { once: true });
});

// t1: sent, on this clock. t2: back, on this clock.
// answer.serverTime: when the server answered, on its clock.
const t1 = now();
clockSocket.send(JSON.stringify({ type: 'clock', id: 1, clientTime: t1 }));
const answer = await new Promise((resolve) => {
  clockSocket.addEventListener('message', function onClock(event) {
    const message = JSON.parse(event.data);
    if (message.type !== 'clock') return;
    clockSocket.removeEventListener('message', onClock);
    resolve(message);
  });
});
const t2 = now();
clockSocket.close(1000, 'clock measured');

// If the server read its clock halfway through the round trip,
// its clock is this far ahead of ours, give or take half the
// round trip.
const offsetMs = answer.serverTime - (t1 + t2) / 2;
const uncertaintyMs = (t2 - t1) / 2;
display({
  roundTripMs: round(t2 - t1),
  offsetMs: round(offsetMs),
  uncertaintyMs: round(uncertaintyMs),
});

// The first cell's delays, with production moved onto this clock.
samples.map((sample) => {
  const producedHere = sample.producedAt - offsetMs;
  return round(sample.arrivedAt - producedHere);
});
