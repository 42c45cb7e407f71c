/** Calls the reader's estimateOffset on copies of `probes`. */
function estimate(probes) {
  const estimateOffset = variable('estimateOffset');
  expectTrue(typeof estimateOffset === 'function', `expected estimateOffset to be a function, got ${typeof estimateOffset}`);
  const result = estimateOffset(probes.map((probe) => ({ ...probe })));
  expectTrue(typeof result === 'object' && result !== null, `expected estimateOffset(…) to return an object, got ${show(result)}`);
  return { offsetMs: result.offsetMs, uncertaintyMs: result.uncertaintyMs };
}
const near = (actual, expected) => typeof actual === 'number' && Math.abs(actual - expected) < 1e-6;
/** JSON with numbers rounded to microseconds, so live estimates read well in a failure message. */
const show = (value) => JSON.stringify(value, (key, field) => (typeof field === 'number' ? Math.round(field * 1000) / 1000 : field));

await check('one probe: the server read its clock halfway through the round trip', () => {
  const result = estimate([{ t1: 0, s: 1005, t2: 20 }]);
  expectTrue(
    near(result.offsetMs, 995) && near(result.uncertaintyMs, 10),
    `for the probe {t1: 0, s: 1005, t2: 20} expected {offsetMs: 995, uncertaintyMs: 10} (s − (t1 + t2) / 2, and half the round trip), got ${show(result)}`,
  );
});
await check('several probes: the one with the shortest round trip wins', () => {
  const probes = [
    { t1: 0, s: 1005, t2: 20 },
    { t1: 100, s: 1103, t2: 106 },
    { t1: 200, s: 1215, t2: 230 },
  ];
  const result = estimate(probes);
  expectTrue(
    near(result.offsetMs, 1000) && near(result.uncertaintyMs, 3),
    `for probes with round trips of 20, 6 and 30 ms expected {offsetMs: 1000, uncertaintyMs: 3}, from the 6 ms probe, the one with the least room for error; got ${show(result)}`,
  );
  expectTrue(near(estimate([...probes].reverse()).offsetMs, 1000), 'expected the same estimate whatever the order of the probes');
});
await check('collects five probes from the server in `probes`', () => {
  const probes = variable('probes');
  expectTrue(Array.isArray(probes) && probes.length === 5, `expected probes to hold 5 probes, got ${JSON.stringify(probes)}`);
  for (const probe of probes) expectTrue(probe.t1 <= probe.t2, `expected every probe to come back after it was sent (t1 ≤ t2), got ${JSON.stringify(probe)}`);
});
await check('estimates the live offset from the probe with the shortest round trip', () => {
  const probes = variable('probes');
  const best = probes.reduce((shortest, probe) => (probe.t2 - probe.t1 < shortest.t2 - shortest.t1 ? probe : shortest));
  const result = estimate(probes);
  const expected = { offsetMs: best.s - (best.t1 + best.t2) / 2, uncertaintyMs: (best.t2 - best.t1) / 2 };
  expectTrue(
    near(result.offsetMs, expected.offsetMs) && near(result.uncertaintyMs, expected.uncertaintyMs),
    `for your five live probes expected ${show(expected)}, got ${show(result)}`,
  );
});
await check('your prediction matches your estimate', () => {
  const prediction = variable('prediction');
  if (typeof prediction?.offsetMs !== 'number' || typeof prediction?.uncertaintyMs !== 'number') {
    fail('commit to a prediction first: set prediction.offsetMs and prediction.uncertaintyMs to numbers');
  }
  const example = variable('example');
  const yours = estimate(example);
  if (!near(prediction.offsetMs, 1002) || !near(prediction.uncertaintyMs, 2)) {
    fail(`you predicted ${show(prediction)}; your estimateOffset gives ${show(yours)} for the three example probes. Which probe leaves the least room for error, and how much room does it leave?`);
  }
});
