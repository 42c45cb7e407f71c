// Jittery Wi-Fi: 20 ms of delay plus up to 150 ms at random.
const wifi = await collectSamples('rate=20&delay=20&jitter=150', 30);
const delays = wifi.map((sample) => sample.arrivedAt - sample.producedAt);

// RFC 3550 §6.4.1: a running mean of how much each delay
// differs from the one before.
let jitterMs = 0;
for (let index = 1; index < delays.length; index++) {
  const difference = Math.abs(delays[index] - delays[index - 1]);
  jitterMs += (difference - jitterMs) / 16;
}

// Samples are made 50 ms apart. One that left the server less
// than 1 ms after the one before it had waited behind that one.
const heldBack = wifi.filter(
  (sample, index) => index > 0 && sample.sentAt - wifi[index - 1].sentAt < 1,
).length;
const inOrder = wifi.every(
  (sample, index) => index === 0 || sample.seq === wifi[index - 1].seq + 1,
);

display({ jitterMs: round(jitterMs), heldBack, inOrder });
delays.map(round);
