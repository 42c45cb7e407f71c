/** Calls the reader's judge, failing with a clear reason when it is missing or returns something else. */
function verdict(delaysMs, deadlineMs) {
  const judge = variable('judge');
  expectTrue(typeof judge === 'function', `expected judge to be a function, got ${typeof judge}`);
  const result = judge([...delaysMs], deadlineMs);
  expectTrue(typeof result === 'object' && result !== null, `expected judge(…) to return an object, got ${JSON.stringify(result)}`);
  return result;
}
const call = (delaysMs, deadlineMs) => `judge([${delaysMs.join(', ')}], ${deadlineMs})`;

await check('hard: one late sample fails the whole system', () => {
  expectEqual(verdict([10, 20, 30], 50).hard, 'ok', `${call([10, 20, 30], 50)}.hard to be`);
  expectEqual(verdict([40, 75, 10, 120], 50).hard, 'failed', `${call([40, 75, 10, 120], 50)}.hard (75 and 120 are late) to be`);
});
await check('firm: counts the late samples it discards', () => {
  expectEqual(verdict([10, 20, 30], 50).firmDiscarded, 0, `${call([10, 20, 30], 50)}.firmDiscarded to be`);
  expectEqual(verdict([40, 75, 10, 120], 50).firmDiscarded, 2, `${call([40, 75, 10, 120], 50)}.firmDiscarded (75 and 120 are late) to be`);
});
await check('soft: a late sample is worth less the later it is, nothing once a whole deadline late', () => {
  const soft = verdict([40, 75, 10, 120], 50).softValue;
  expectTrue(
    typeof soft === 'number' && Math.abs(soft - 0.625) < 1e-9,
    `expected ${call([40, 75, 10, 120], 50)}.softValue to be 0.625 (worths 1, 0.5, 1 and 0: 75 is half a deadline late, 120 more than a whole one), got ${JSON.stringify(soft)}`,
  );
  expectEqual(verdict([10, 20, 30], 50).softValue, 1, `${call([10, 20, 30], 50)}.softValue to be`);
});
await check('a sample exactly at the deadline is on time', () => {
  expectEqual(verdict([50], 50), { hard: 'ok', firmDiscarded: 0, softValue: 1 }, `${call([50], 50)} to be`);
});
await check('no samples: nothing failed, nothing discarded, full value', () => {
  expectEqual(verdict([], 100), { hard: 'ok', firmDiscarded: 0, softValue: 1 }, 'judge([], 100) to be');
});
