// Predict before you write: three probes with round trips of 16, 4 and
// 50 ms. What offset and uncertainty should the best estimate give?
const example = [
  { t1: 0, s: 1012, t2: 16 },
  { t1: 100, s: 1104, t2: 104 },
  { t1: 200, s: 1230, t2: 250 },
];
// The 4 ms probe: 1104 − (100 + 104) / 2, give or take half of 4.
const prediction = { offsetMs: 1002, uncertaintyMs: 2 };

/**
 * Estimates how far the server's clock is ahead of this one from clock
 * probes {t1, s, t2}: sent at t1 and back at t2 on this clock, answered
 * at s on the server's. Returns {offsetMs, uncertaintyMs}: the true
 * offset is within ± uncertaintyMs of offsetMs.
 */
function estimateOffset(probes) {
  // The shortest round trip leaves the least room for error.
  const roundTrip = (probe) => probe.t2 - probe.t1;
  const best = probes.reduce((shortest, probe) =>
    roundTrip(probe) < roundTrip(shortest) ? probe : shortest,
  );
  const { t1, s, t2 } = best;
  return { offsetMs: s - (t1 + t2) / 2, uncertaintyMs: (t2 - t1) / 2 };
}

// Five probes to the server, one after the other.
const now = () => performance.timeOrigin + performance.now();
const socket = new WebSocket(`${SERVER}/ws/realtime?rate=1`);
await new Promise((resolve) => {
  socket.addEventListener('open', resolve, { once: true });
});
const probes = [];
for (let id = 1; id <= 5; id++) {
  const t1 = now();
  socket.send(JSON.stringify({ type: 'clock', id, clientTime: t1 }));
  const answer = await new Promise((resolve) => {
    socket.addEventListener('message', function onClock(event) {
      const message = JSON.parse(event.data);
      if (message.type !== 'clock' || message.id !== id) return;
      socket.removeEventListener('message', onClock);
      resolve(message);
    });
  });
  probes.push({ t1, s: answer.serverTime, t2: now() });
}
socket.close(1000, 'probed');
display(estimateOffset(probes));
