import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';
import { axeProblems, checkExercise, checkSolution, numberIn, openExercise, outputTextsOfKind, replaceCode, runAllCells } from '../helpers/notebook-page.ts';

const CHAPTER = '/heartbeats/';

/**
 * One Chromium and one server for the cells and the exercises. Each test has its own page and
 * spends its time on heartbeat timers, frozen servers and backoff delays (a freeze holds only for
 * its own client), so both blocks run their tests at the same time.
 */
const session = useSiteInBrowser();

describe.concurrent('notebook cells on chapter 8', () => {
  it('runs the cells top to bottom with Run all: a ping, a silent client dropped with 4000, a frozen server, a reconnection', async ({ expect }) => {
    const { page, errors } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}${CHAPTER}`);
    const cells = await runAllCells(page, 40_000, expect);
    expect(await cells.count()).toBe(4);

    // 1. The welcome states the heartbeat; one application ping comes back.
    expect(await outputTextsOfKind(cells.nth(0), 'display')).toEqual([expect.stringMatching(/^\{type: "welcome", intervalMs: 1000, timeoutMs: 3000, closeCode: 4000, /)]);
    expect(await outputTextsOfKind(cells.nth(0), 'result')).toEqual([expect.stringMatching(/^'pong 1 after \d+\.\d\d ms'$/)]);

    // 2. A client that answers nothing is closed with 4000 after interval + timeout.
    const [silent] = await outputTextsOfKind(cells.nth(1), 'display');
    expect(silent).toMatch(/^\{code: 4000, wasClean: true, afterMs: \d+\}$/);
    expect(numberIn(silent ?? '', 'afterMs')).toBeGreaterThanOrEqual(1000);
    expect(await outputTextsOfKind(cells.nth(1), 'result')).toEqual(["'heartbeat timeout: no pong to ping 1 within 1000 ms'"]);
    expect(await outputTextsOfKind(cells.nth(1), 'socket')).toEqual(
      expect.arrayContaining([
        expect.stringContaining('↓ received\'{"type":"ping","id":1,'),
        'close 4000 "heartbeat timeout: no pong to ping 1 within 1000 ms" · clean · Private use',
      ]),
    );

    // 3. A frozen server: the socket looks open and idle; the pong comes after the freeze.
    expect(await outputTextsOfKind(cells.nth(2), 'display')).toEqual([expect.stringMatching(/^\{readyState: 1, bufferedAmount: 0, waitedMs: \d+\}$/)]);
    const [late] = await outputTextsOfKind(cells.nth(2), 'result');
    const lateMs = Number(/after (\d+) ms/.exec(late ?? '')?.[1]);
    expect(lateMs).toBeGreaterThanOrEqual(1000);
    expect(lateMs).toBeLessThan(10_000);

    // 4. partysocket reconnects after the 4000 and the open listener subscribes again.
    const logs = await outputTextsOfKind(cells.nth(3), 'log');
    expect(logs.map((line) => line.replace(/[\d.]+ km\/h, update #\d+/, 'N km/h, update #N'))).toEqual([
      'open: subscribing to wind',
      'wind: N km/h, update #N',
      'closed: 4000 heartbeat timeout: no pong to ping 1 within 1000 ms',
      'open: subscribing to wind',
      'wind: N km/h, update #N',
    ]);
    expect((await outputTextsOfKind(cells.nth(3), 'socket')).at(-1)).toBe('close 1000 "seen it reconnect" · clean · Normal Closure');
    const updates = logs.flatMap((line) => /update #(\d+)/.exec(line)?.[1] ?? []).map(Number);
    expect(updates[1]).toBeGreaterThan(updates[0] ?? Infinity);
    expect(errors).toEqual([]);
    // What the cells printed is part of the page: it must be as accessible as the rest.
    expect(await axeProblems(page)).toEqual([]);
    await page.context().close();
  });
});

describe.concurrent('exercises on chapter 8', () => {
  const exercise = (id: string) => openExercise(session.browser, `${session.running.httpUrl}${CHAPTER}`, 'heartbeats', id);

  it('answer pings: the silent starter is dropped with 4000, the solution lives until it closes with 1000', async ({ expect }) => {
    const { page, exercise: answer } = await exercise('answer-pings');
    const starter = await checkExercise(answer, undefined, expect);
    expect(starter.summary).toBe('4 of 4 checks failed. Fix the code and press Check again.');
    expect(starter.results.slice(0, 2)).toEqual([
      '✗ failedanswers the server\'s pings with {type: "pong", id, sent}your code sent no pong. The browser answers protocol pings by itself; these pings are messages',
      '✗ failedkeeps the connection for 3 s and closes it with 1000the server closed the connection with 4000 "heartbeat timeout: no pong to ping 1 within 600 ms": it gave up waiting for your pong',
    ]);
    expect(starter.failures['predicts how the server drops a client that answers nothing']).toBe(
      'commit to a prediction first: set prediction.closeCode and prediction.latestMs to numbers',
    );
    // A working client with a wrong prediction: the check runs a silent client and says what happened.
    const solutionCode = readFileSync(new URL('../../src/cells/heartbeats/answer-pings.solution.js', import.meta.url), 'utf8');
    await replaceCode(answer, solutionCode.replace('latestMs: 900', 'latestMs: 600'));
    const wrong = await checkExercise(answer, undefined, expect);
    expect(wrong.summary).toBe('1 of 4 checks failed. Fix the code and press Check again.');
    expect(wrong.failures['predicts how the server drops a client that answers nothing']).toMatch(
      /^you predicted 600 ms at the latest; a silent client was closed with 4000 after \d+ ms\. How long can it take/,
    );
    const solution = await checkSolution(answer, undefined, expect);
    expect(solution.summary).toBe('All 4 checks passed: exercise solved.');
    await page.context().close();
  });

  it('backoff: fails the constant delay of the starter, passes the solution', async ({ expect }) => {
    const { page, exercise: backoff } = await exercise('backoff');
    const starter = await checkExercise(backoff, undefined, expect);
    expect(starter.summary).toBe('7 of 7 checks failed. Fix the code and press Check again.');
    expect(starter.results[0]).toBe(
      '✗ failedwaits firstMs before the first retry, then multiplies by factor each timeexpected the delay before attempt 2 (500 × 2) to be 1000 ms, got 500',
    );
    expect(starter.failures['your prediction matches your schedule']).toBe(
      'commit to a prediction first: set prediction.longestBeforeAttempt6Ms to a number of ms',
    );
    // A right schedule with a wrong prediction (jitter forgotten): the check says what the schedule gives.
    const solutionCode = readFileSync(new URL('../../src/cells/heartbeats/backoff.solution.js', import.meta.url), 'utf8');
    await replaceCode(backoff, solutionCode.replace('longestBeforeAttempt6Ms: 10_400', 'longestBeforeAttempt6Ms: 8000'));
    const wrong = await checkExercise(backoff, undefined, expect);
    expect(wrong.summary).toBe('1 of 7 checks failed. Fix the code and press Check again.');
    expect(wrong.failures['your prediction matches your schedule']).toBe(
      'you predicted 8000 ms; your backoffDelay gives up to 10400 ms before attempt 6. Where does the doubling meet maxMs, and what does jitter do after that?',
    );
    const solution = await checkSolution(backoff, undefined, expect);
    expect(solution.summary).toBe('All 7 checks passed: exercise solved.');
    await page.context().close();
  });

  it('dead server: the starter never notices the freeze; the solution detects it, closes with 4000, backs off and subscribes again', async ({ expect }) => {
    const { page, exercise: dead } = await exercise('dead-server');
    const starter = await checkExercise(dead, undefined, expect);
    expect(starter.summary).toBe('5 of 5 checks failed. Fix the code and press Check again.');
    expect(starter.results.slice(0, 2)).toEqual([
      "✗ failedpings the server every 500 msexpected {type: 'ping', id, sent} every 500 ms; your code sent 0 pings in 4 s",
      "✗ failednotices the frozen server within 4 s and drops the connectionthe server has been frozen for 4 s and your connection is still open: ping it, and when no pong has come for PONG_TIMEOUT_MS, call socket.reconnect(4000, 'heartbeat timeout')",
    ]);
    const solution = await checkSolution(dead, undefined, expect);
    expect(solution.results).toEqual([
      '✓ passedpings the server every 500 ms',
      '✓ passednotices the frozen server within 4 s and drops the connection',
      '✓ passedcloses the dead connection with 4000',
      '✓ passedtries again, waiting longer each time, until the server is back',
      '✓ passedsubscribes to wind again on the new connection',
    ]);
    expect(solution.summary).toBe('All 5 checks passed: exercise solved.');
    // The refused attempts show under the exercise, each closing with 1006.
    expect((await outputTextsOfKind(dead, 'socket')).filter((text) => text.startsWith('close 1006')).length).toBeGreaterThanOrEqual(1);
    // A long, scrolling list of outputs and the check results stay accessible.
    expect(await axeProblems(page)).toEqual([]);
    await page.context().close();
  });
});
