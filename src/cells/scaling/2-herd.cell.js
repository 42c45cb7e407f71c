// 1,000 clients of an instance that closes them all with 1012 at once. Each
// picks its first reconnection delay; count the handshakes the surviving
// instances receive in each 100 ms after the close.
const CLIENTS = 1000;
const policies = {
  'no jitter: 1000 ms': () => 1000,
  '±30 % jitter (chapter 8)': () => 1000 * (0.7 + 0.6 * Math.random()),
  'full jitter: 0 to 1000 ms': () => 1000 * Math.random(),
};

for (const [policy, delay] of Object.entries(policies)) {
  const slots = new Array(15).fill(0);
  for (let client = 0; client < CLIENTS; client++) slots[Math.floor(delay() / 100)] += 1;
  const busiest = Math.max(...slots);
  display(`${policy}: busiest 100 ms has ${busiest} handshakes`);
  // One # per 20 handshakes, one row per 100 ms.
  display(slots.map((count, slot) => `${String(slot * 100).padStart(5)} ms ${'#'.repeat(Math.ceil(count / 20))}`).join('\n'));
}
