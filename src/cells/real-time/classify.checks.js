const KINDS = ['hard', 'firm', 'soft'];
const WHY = {
  'pacemaker pulse': ['hard', 'a pulse half a second late is not a slightly worse pulse: the system has failed'],
  'airbag trigger': ['hard', 'an airbag that fires after the crash has failed'],
  'video-call frame': ['firm', 'a frame that misses its moment is skipped by the decoder'],
  'price quote for a trading algorithm': ['firm', 'once the window to act has closed, the quote is thrown away'],
  'chunk of a streamed film': ['soft', 'a late chunk means a pause to buffer, and it is still played'],
  'chat message': ['soft', 'a late chat message is still read'],
  'live dashboard update': ['soft', 'a late value is still shown, just a little stale'],
};
const ARGUABLE = "another player's position in a game";

/** The reader's answer for `system`, failing with a clear reason when it is missing. */
function answerFor(system) {
  const answers = variable('answers');
  if (!(system in answers)) fail(`expected an answer for "${system}" in answers; it is missing`);
  return answers[system];
}

await check("answers 'hard', 'firm' or 'soft' for every system", () => {
  const answers = variable('answers');
  expectTrue(typeof answers === 'object' && answers !== null, `expected answers to be an object, got ${typeof answers}`);
  for (const system of [...Object.keys(WHY), ARGUABLE]) {
    const answer = answerFor(system);
    expectTrue(KINDS.includes(answer), `"${system}": expected 'hard', 'firm' or 'soft', got ${JSON.stringify(answer)}`);
  }
});
for (const kind of KINDS) {
  await check(`recognises the ${kind} deadlines`, () => {
    for (const [system, [expected, why]] of Object.entries(WHY)) {
      if (expected !== kind) continue;
      const answer = answerFor(system);
      expectTrue(answer === expected, `"${system}": ${why}, so expected '${expected}', got ${JSON.stringify(answer)}`);
    }
  });
}
await check(`places "${ARGUABLE}" as firm or soft`, () => {
  const answer = answerFor(ARGUABLE);
  expectTrue(
    answer === 'firm' || answer === 'soft',
    `"${ARGUABLE}": a late position degrades the game without breaking it, so expected 'firm' or 'soft', got ${JSON.stringify(answer)}`,
  );
});
