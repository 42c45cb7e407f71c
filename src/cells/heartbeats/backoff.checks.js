const STEADY = () => 0.5;
/** The reader's delay for `attempt`, with a fixed random() unless given one. */
function delay(attempt, random = STEADY, options = { firstMs: 500, factor: 2, maxMs: 8000, jitter: 0.3 }) {
  const backoffDelay = variable('backoffDelay');
  expectTrue(typeof backoffDelay === 'function', `expected backoffDelay to be a function, got ${typeof backoffDelay}`);
  return backoffDelay(attempt, options, random);
}
const near = (actual, expected) => typeof actual === 'number' && Math.abs(actual - expected) < 1e-6;
const expectDelay = (actual, expected, what) => expectTrue(near(actual, expected), `expected ${what} to be ${String(expected)} ms, got ${JSON.stringify(actual)}`);

await check('waits firstMs before the first retry, then multiplies by factor each time', () => {
  expectDelay(delay(1), 500, 'the delay before attempt 1 (random() = 0.5, no jitter)');
  expectDelay(delay(2), 1000, 'the delay before attempt 2 (500 × 2)');
  expectDelay(delay(4), 4000, 'the delay before attempt 4 (500 × 2 × 2 × 2)');
});
await check('never waits more than maxMs, before jitter', () => {
  expectDelay(delay(5), 8000, 'the delay before attempt 5 (500 × 2⁴ = 8000)');
  expectDelay(delay(10), 8000, 'the delay before attempt 10 (500 × 2⁹, capped at 8000)');
});
await check('scales each delay by a random factor between 1 - jitter and 1 + jitter', () => {
  expectDelay(delay(1, () => 0), 350, 'the delay before attempt 1 with random() = 0 (500 × 0.7)');
  expectDelay(delay(3, () => 0.999999), 2000 * (0.7 + 0.6 * 0.999999), 'the delay before attempt 3 with random() = 0.999999 (just under 2000 × 1.3)');
});
await check('jitters the capped delays too', () => {
  expectDelay(delay(10, () => 0), 5600, 'the delay before attempt 10 with random() = 0 (the cap 8000 × 0.7)');
});
await check('uses the options it is given', () => {
  const options = { firstMs: 100, factor: 3, maxMs: 1000, jitter: 0 };
  const schedule = [1, 2, 3, 4].map((attempt) => delay(attempt, STEADY, options));
  expectTrue(
    schedule.every((actual, index) => near(actual, [100, 300, 900, 1000][index])),
    `expected the delays for attempts 1 to 4 with {firstMs: 100, factor: 3, maxMs: 1000, jitter: 0} to be [100, 300, 900, 1000], got ${JSON.stringify(schedule)}`,
  );
});
await check('uses Math.random by default, so two clients rarely wait the same', () => {
  const backoffDelay = variable('backoffDelay');
  const delays = Array.from({ length: 50 }, () => backoffDelay(3));
  expectTrue(delays.every((value) => value >= 1400 && value <= 2600), `expected every default delay before attempt 3 between 1400 and 2600 ms, got ${JSON.stringify(delays.find((value) => !(value >= 1400 && value <= 2600)))}`);
  expectTrue(new Set(delays).size > 40, `expected 50 calls of backoffDelay(3) to give different delays, got only ${String(new Set(delays).size)} different ones`);
});
await check('your prediction matches your schedule', () => {
  const prediction = variable('prediction');
  const predicted = prediction?.longestBeforeAttempt6Ms;
  if (typeof predicted !== 'number') fail('commit to a prediction first: set prediction.longestBeforeAttempt6Ms to a number of ms');
  // random() just under 1 gives the longest wait.
  const longest = delay(6, () => 1 - 1e-9);
  if (Math.abs(predicted - 10_400) > 1) {
    fail(`you predicted ${String(predicted)} ms; your backoffDelay gives up to ${String(Math.round(longest))} ms before attempt 6. Where does the doubling meet maxMs, and what does jitter do after that?`);
  }
});
