import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';
import { axeProblems, checkExercise, checkSolution, numberIn, openExercise, outputTextsOfKind, replaceCode, runAllCells } from '../helpers/notebook-page.ts';

const CHAPTER = '/real-time/';

/** The numbers in an array summary such as `(10) [50.4, 50.6, …]`. */
function numbersInArray(text: string): number[] {
  return [...(/\[(.*)\]/.exec(text)?.[1] ?? '').matchAll(/-?\d+(?:\.\d+)?/g)].map((match) => Number(match[0]));
}

describe('notebook cells on chapter 4', () => {
  const session = useSiteInBrowser();

  it('runs the cells top to bottom with Run all: delays, throughput, jitter and the clock offset, measured live', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}${CHAPTER}`);
    const cells = await runAllCells(page, 40_000);
    expect(await cells.count()).toBe(4);

    // 1. Ten samples held back 50 ms: each delay is 50 ms and a little more.
    const [sample] = await outputTextsOfKind(cells.nth(0), 'display');
    expect(sample).toMatch(/^\{type: "sample", seq: 1, producedAt: \d+/);
    const [delays] = await outputTextsOfKind(cells.nth(0), 'result');
    expect(delays).toMatch(/^\(10\) \[/);
    for (const delay of numbersInArray(delays ?? '')) expect(delay).toBeGreaterThanOrEqual(49);

    // 2. Rate and delay are independent; Little's law follows both.
    const measured = await outputTextsOfKind(cells.nth(1), 'display');
    expect(measured).toHaveLength(3);
    const [slow, fast, short] = measured.map((text) => ({
      perSecond: numberIn(text, 'perSecond'),
      meanDelayMs: numberIn(text, 'meanDelayMs'),
      inFlight: numberIn(text, 'inFlight'),
    }));
    if (slow === undefined || fast === undefined || short === undefined) throw new Error('expected three measurements');
    expect(fast.perSecond).toBeGreaterThan(2 * slow.perSecond);
    expect(slow.meanDelayMs).toBeGreaterThanOrEqual(99);
    expect(fast.meanDelayMs).toBeGreaterThanOrEqual(99);
    expect(short.meanDelayMs).toBeLessThan(fast.meanDelayMs);
    expect(fast.inFlight).toBeGreaterThan(slow.inFlight);

    // 3. Jitter, with every sample in order.
    const [jitter] = await outputTextsOfKind(cells.nth(2), 'display');
    expect(jitter).toMatch(/^\{jitterMs: [\d.]+, heldBack: \d+, inOrder: true\}$/);
    expect(numberIn(jitter ?? '', 'jitterMs')).toBeGreaterThan(0);
    expect(numbersInArray((await outputTextsOfKind(cells.nth(2), 'result'))[0] ?? '').length).toBeGreaterThan(0);

    // 4. One probe: on one machine the clocks agree to within a few milliseconds.
    const [probe] = await outputTextsOfKind(cells.nth(3), 'display');
    expect(probe).toMatch(/^\{roundTripMs: [\d.]+, offsetMs: -?[\d.]+, uncertaintyMs: [\d.]+\}$/);
    expect(Math.abs(numberIn(probe ?? '', 'offsetMs'))).toBeLessThan(numberIn(probe ?? '', 'uncertaintyMs') + 50);
    // The first cell's 50 ms delay, seen through the probe's offset, which is only known to ± uncertaintyMs.
    expect(numbersInArray((await outputTextsOfKind(cells.nth(3), 'result'))[0] ?? '')[0]).toBeGreaterThanOrEqual(45 - numberIn(probe ?? '', 'uncertaintyMs'));
    expect(errors).toEqual([]);
    // What the cells printed is part of the page: it must be as accessible as the rest.
    expect(await axeProblems(page)).toEqual([]);
    await page.context().close();
  });
});

describe('exercises on chapter 4', () => {
  const session = useSiteInBrowser();

  const exercise = (id: string) => openExercise(session.browser, `${session.running.httpUrl}${CHAPTER}`, 'real-time', id);

  it('classify: fails the empty answers with the first one named, passes the solution', async () => {
    const { page, exercise: classify } = await exercise('classify');
    const starter = await checkExercise(classify);
    expect(starter.summary).toBe('5 of 5 checks failed. Fix the code and press Check again.');
    expect(starter.results[0]).toBe(`✗ failedanswers 'hard', 'firm' or 'soft' for every system"pacemaker pulse": expected 'hard', 'firm' or 'soft', got ""`);
    const solution = await checkSolution(classify);
    expect(solution.summary).toBe('All 5 checks passed: exercise solved.');
    await page.context().close();
  });

  it('judge: fails the starter that calls everything on time, passes the solution', async () => {
    const { page, exercise: judge } = await exercise('judge');
    const starter = await checkExercise(judge);
    expect(starter.summary).toBe('3 of 5 checks failed. Fix the code and press Check again.');
    expect(starter.results[0]).toBe(
      '✗ failedhard: one late sample fails the whole systemexpected judge([40, 75, 10, 120], 50).hard (75 and 120 are late) to be "failed", got "ok"',
    );
    // The starter's own run judged 20 live samples.
    expect(await judge.locator('.sb-out[data-kind="display"]').last().textContent()).toContain('{hard: "ok", firmDiscarded: 0, softValue: 1}');
    const solution = await checkSolution(judge);
    expect(solution.summary).toBe('All 5 checks passed: exercise solved.');
    expect(await judge.locator('.sb-out[data-kind="display"]').last().textContent()).toMatch(/\{hard: "(ok|failed)", firmDiscarded: \d+, softValue: [\d.]+\}/);
    await page.context().close();
  });

  it('clock offset: fails the starter that trusts the first probe, passes the solution', async () => {
    const { page, exercise: clock } = await exercise('clock-offset');
    const starter = await checkExercise(clock);
    expect(starter.outcome).toBe('failed');
    expect(starter.results[1]).toBe(
      '✗ failedseveral probes: the one with the shortest round trip winsfor probes with round trips of 20, 6 and 30 ms expected {offsetMs: 1000, uncertaintyMs: 3}, from the 6 ms probe, the one with the least room for error; got {"offsetMs":995,"uncertaintyMs":10}',
    );
    expect(starter.failures['your prediction matches your estimate']).toBe(
      'commit to a prediction first: set prediction.offsetMs and prediction.uncertaintyMs to numbers',
    );
    // The starter's estimate with a prediction made from the first probe: the check shows the difference.
    const starterCode = readFileSync(new URL('../../src/cells/real-time/clock-offset.starter.js', import.meta.url), 'utf8');
    await replaceCode(clock, starterCode.replace('{ offsetMs: null, uncertaintyMs: null }', '{ offsetMs: 1004, uncertaintyMs: 8 }'));
    const wrong = await checkExercise(clock);
    expect(wrong.failures['your prediction matches your estimate']).toBe(
      'you predicted {"offsetMs":1004,"uncertaintyMs":8}; your estimateOffset gives {"offsetMs":1004,"uncertaintyMs":8} for the three example probes. Which probe leaves the least room for error, and how much room does it leave?',
    );
    const solution = await checkSolution(clock);
    expect(solution.summary).toBe('All 5 checks passed: exercise solved.');
    await page.context().close();
  });
});
