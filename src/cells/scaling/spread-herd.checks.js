/** The reader's delay, with `random` fixed unless given. */
const delayOf = (attempt, random, options = { firstMs: 1000, maxMs: 30_000 }) => {
  const reconnectDelay = variable('reconnectDelay');
  expectTrue(typeof reconnectDelay === 'function', `expected reconnectDelay to be a function, got ${typeof reconnectDelay}`);
  return reconnectDelay(attempt, options, random);
};
const near = (actual, expected) => typeof actual === 'number' && Math.abs(actual - expected) < 1e-6;
const expectDelay = (actual, expected, what) => expectTrue(near(actual, expected), `expected ${what} to be ${String(expected)} ms, got ${JSON.stringify(actual)}`);

await check('waits anywhere from 0 to firstMs before the first attempt', () => {
  expectDelay(delayOf(1, () => 0), 0, 'the delay before attempt 1 with random() = 0');
  expectDelay(delayOf(1, () => 0.5), 500, 'the delay before attempt 1 with random() = 0.5');
});

await check('doubles the window at each attempt', () => {
  expectDelay(delayOf(3, () => 0.5), 2000, 'the delay before attempt 3 with random() = 0.5 (half of 1000 × 2²)');
  expectDelay(delayOf(4, () => 0.25), 2000, 'the delay before attempt 4 with random() = 0.25 (a quarter of 1000 × 2³)');
});

await check('never lets the window pass maxMs', () => {
  expectDelay(delayOf(10, () => 0.5), 15_000, 'the delay before attempt 10 with random() = 0.5 (half of the cap, 30000)');
});

await check('uses the options it is given', () => {
  const options = { firstMs: 200, maxMs: 1000 };
  const schedule = [1, 2, 3, 4, 5].map((attempt) => delayOf(attempt, () => 0.5, options));
  expectTrue(
    schedule.every((actual, index) => near(actual, [100, 200, 400, 500, 500][index])),
    `expected the delays for attempts 1 to 5 with {firstMs: 200, maxMs: 1000} and random() = 0.5 to be [100, 200, 400, 500, 500], got ${JSON.stringify(schedule)}`,
  );
});

await check('spreads 10,000 clients closed at once over the whole first second', () => {
  const reconnectDelay = variable('reconnectDelay');
  const slots = new Map();
  for (let client = 0; client < 10_000; client++) {
    const delay = reconnectDelay(1);
    if (!(delay >= 0 && delay <= 1000)) fail(`expected every first delay (with Math.random) between 0 and 1000 ms, got ${JSON.stringify(delay)}`);
    const slot = Math.floor(delay / 100) * 100;
    slots.set(slot, (slots.get(slot) ?? 0) + 1);
  }
  const [busiestSlot, busiest] = [...slots].sort((a, b) => b[1] - a[1])[0];
  // Spread evenly that is about 1,000 per 100 ms; 1,300 leaves room for chance.
  expectTrue(busiest <= 1300, `expected at most about 1,000 handshakes in any 100 ms, got ${busiest} between ${busiestSlot} and ${busiestSlot + 100} ms: the instances that are left take them all at once`);
});
