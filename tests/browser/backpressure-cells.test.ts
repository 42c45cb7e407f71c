import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  axeProblems,
  checkExercise,
  checkSolution,
  numberIn,
  outputTextsOfKind,
  replaceCode,
  runAllCells,
  shownOutputs,
  useChapterPages,
} from '../helpers/notebook-page.ts';

/** The number after `name: ` in each row, e.g. every `sentByServer` of the stats rows. */
const numbersIn = (rows: readonly string[], name: string) => rows.map((row) => numberIn(row, name));
/** `"3.1 MiB"` → 3.1 */
const mib = (row: string, name: string) => Number(new RegExp(`${name}: "([\\d.]+) MiB"`).exec(row)?.[1]);

describe('notebook cells on chapter 9 (backpressure)', () => {
  const chapter = useChapterPages('backpressure');

  it('runs all five cells against the real server: stats channel, slow consumer, bufferedAmount, where the upload waits, conflation', async () => {
    const { page, errors } = await chapter.open();
    expect(await page.locator('code-cell').count()).toBe(5);
    const cells = await runAllCells(page);

    // 1. The hello, the stats channel once a second (the page keeps up, the server holds nothing), then the end.
    const stats = await shownOutputs(cells.nth(0));
    expect(stats[0]).toMatch(/^display\{type: "hello", statsId: "[0-9a-f-]+…", …\}$/);
    expect(stats.at(-1)).toBe('display\'the client closed with 1000 "seen enough"\'');
    const reports = stats.slice(1, -1);
    expect(reports.length, stats.join('\n')).toBeGreaterThanOrEqual(3);
    for (const report of reports) expect(report).toMatch(/^display\{received: \d+, sentByServer: \d+, heldByServer: 0, pingMs: (\d+|null)\}$/);
    const sent = numbersIn(reports, 'sentByServer');
    expect(sent.at(-1)).toBeGreaterThan(sent[0] ?? Infinity);
    // Received here keeps pace with sent by the server (a message or two may be in flight).
    numbersIn(reports, 'received').forEach((received, index) => {
      expect(received).toBeGreaterThanOrEqual((sent[index] ?? 0) - 5);
    });

    // 2. Two seconds of 40 ms per message: about 50 processed, the last one old; then the backlog goes through.
    const [slow, caughtUp] = await shownOutputs(cells.nth(1));
    expect(slow).toMatch(/^display\{processed: \d+, ageOfLastMs: \d+\}$/);
    expect(caughtUp).toMatch(/^Out\[2\]\{processed: \d+, ageOfLastMs: \d+\}$/);
    expect(numberIn(slow ?? '', 'processed')).toBeLessThanOrEqual(55);
    expect(numberIn(slow ?? '', 'ageOfLastMs')).toBeGreaterThanOrEqual(500);
    expect(numberIn(caughtUp ?? '', 'processed')).toBeGreaterThanOrEqual(numberIn(slow ?? '', 'processed') + 40);
    expect(numberIn(caughtUp ?? '', 'ageOfLastMs')).toBeLessThan(500);

    // 3. send() queued all 12 MiB at once; bufferedAmount went down only while the cell waited.
    const queued = await shownOutputs(cells.nth(2));
    expect(queued[0]).toBe("display'after the loop: 12.0 MiB queued in this browser'");
    const watched = queued.slice(1).map((row) => /^display'\d+\.\d s: (\d+\.\d) MiB queued'$/.exec(row)?.[1]);
    expect(watched.length, queued.join('\n')).toBeGreaterThanOrEqual(1);
    expect(watched.every((value) => value !== undefined), queued.join('\n')).toBe(true);
    expect(watched.at(-1)).toBe('0.0');
    expect(watched.map(Number)).toEqual(watched.map(Number).sort((a, b) => b - a));

    // 4. At bufferedAmount 0 megabytes were still in TCP; the server read them all.
    const where = await shownOutputs(cells.nth(3));
    for (const row of where) expect(row).toMatch(/^display\{inBrowser: "0\.0 MiB", inTcp: "[\d.]+ MiB", readByServer: "[\d.]+ MiB"\}$/);
    expect(mib(where[0] ?? '', 'inTcp'), where.join('\n')).toBeGreaterThan(0);
    expect(where.at(-1)).toBe('display{inBrowser: "0.0 MiB", inTcp: "0.0 MiB", readByServer: "12.0 MiB"}');
    // The upload socket belongs to cell 3, so its close shows there.
    await expect.poll(async () => (await outputTextsOfKind(cells.nth(2), 'socket')).at(-1)).toBe('close 1000 "all read" · clean · Normal Closure');

    // 5. Conflation: produced = sent + dropped; the seq gaps match the dropped counts the messages carried.
    const [totals, taken] = await shownOutputs(cells.nth(4));
    expect(totals).toMatch(/^display\{type: "finished", produced: \d+, sent: \d+, dropped: \d+\}$/);
    expect(taken).toMatch(/^Out\[5\]\{taken: \d+, gaps: \d+, reported: \d+\}$/);
    const [produced, conflatedSent, dropped] = ['produced', 'sent', 'dropped'].map((name) => numberIn(totals ?? '', name));
    expect(produced).toBe((conflatedSent ?? 0) + (dropped ?? 0));
    expect(numberIn(taken ?? '', 'taken')).toBe(conflatedSent);
    expect(numberIn(taken ?? '', 'gaps')).toBe(numberIn(taken ?? '', 'reported'));
    expect(dropped).toBeGreaterThanOrEqual(numberIn(taken ?? '', 'gaps'));
    expect(conflatedSent).toBeLessThan((produced ?? 0) / 2);

    expect(errors).toEqual([]);
    // What the cells printed is part of the page: it must be as accessible as the rest.
    expect(await axeProblems(page)).toEqual([]);
  });
});

describe('exercises on chapter 9 (backpressure)', () => {
  const chapter = useChapterPages('backpressure');

  it('"A credit consumer that loses nothing": the starter grants nothing; the solution passes', async () => {
    const consumer = await chapter.exercise('credit-consumer');
    const starter = await checkExercise(consumer);
    expect(starter.summary).toBe('6 of 6 checks failed. Fix the code and press Check again.');
    expect(starter.failures['opens the window: the server starts sending']).toBe(
      "the server sent no data because you granted no credit: in credit mode it sends only against credit. When the hello arrives, send {type: 'credit', credits: WINDOW}",
    );
    expect(starter.failures['gives a credit back for each message: 1,000 processed']).toBe('needs the server to send first (see above)');

    const solution = await checkSolution(consumer);
    expect(solution.summary).toBe('All 6 checks passed: exercise solved.');
    expect(await consumer.locator('.sb-solved').isVisible()).toBe(true);
  });

  it('"A credit consumer that loses nothing": no credit back, the whole stream granted at once, and a close before finished each get their reason', async () => {
    const consumer = await chapter.exercise('credit-consumer');
    const solution = (await consumer.getAttribute('data-solution')) ?? '';
    const variant = (from: string, to: string) => {
      expect(solution).toContain(from);
      return solution.replace(from, to);
    };

    await replaceCode(consumer, variant('grant(1);', '// no credit back'));
    const noCreditBack = await checkExercise(consumer);
    expect(noCreditBack.failures['gives a credit back for each message: 1,000 processed']).toBe(
      "the stream stopped after 8 messages: the server waits for credit, so give one back ({type: 'credit', credits: 1}) for every message you process",
    );

    await replaceCode(consumer, variant('grant(WINDOW)', 'grant(TOTAL)').replace('grant(1);', '// all granted at the start'));
    const allAtOnce = await checkExercise(consumer);
    expect(allAtOnce.summary).toMatch(/^1 of 6 checks failed/);
    expect(allAtOnce.failures['keeps at most WINDOW (8) messages outstanding']).toBe(
      'after message 1 you had granted 1,000 credits in all, so the server could send 999 more without waiting: grant WINDOW once, then one per message you process',
    );

    await replaceCode(consumer, variant("socket.send(JSON.stringify({ type: 'finish' }));", "socket.send(JSON.stringify({ type: 'finish' }));\n      socket.close(1000);"));
    const closedEarly = await checkExercise(consumer);
    expect(closedEarly.summary).toMatch(/^2 of 6 checks failed/);
    expect(closedEarly.failures['asks the server to finish, and closes with 1000 once it has answered']).toBe(
      "you closed before the server's finished message arrived, while messages it had sent could still be on their way: close when finished comes",
    );
    expect(closedEarly.failures['loses nothing: you processed every message the server sent']).toBe('needs the stream finished and closed first (see above)');
  });

  it('"A sender that waits at a high-water mark": the starter queues everything at once and predicts nothing; the solution stays under the mark', async () => {
    const sender = await chapter.exercise('high-water');
    const starter = await checkExercise(sender);
    expect(starter.summary).toMatch(/^2 of 4 checks failed/);
    expect(starter.failures).toEqual({
      'never sends while more than highWaterBytes are queued':
        'sendAll(socket, 40 messages of 50,000 bytes, 100,000) sent message 4 while 150,000 bytes were queued (socket.bufferedAmount), more than 100,000: the mark must hold before every send()',
      'your prediction matches what the browser held': 'commit to a prediction first: set prediction.mostQueuedBytes to a number of bytes',
    });
    // The trial run under the exercise: everything was still queued when sendAll returned.
    expect(await shownOutputs(sender)).toEqual([expect.stringMatching(/^display\{tookMs: \d+, stillQueuedBytes: 1000000\}$/)]);

    // A wrong prediction with a working sender: the check says what the browser held.
    const solutionCode = readFileSync(new URL('../../src/cells/backpressure/high-water.solution.js', import.meta.url), 'utf8');
    await replaceCode(sender, solutionCode.replace('mostQueuedBytes: 150_000', 'mostQueuedBytes: 100_000'));
    const wrong = await checkExercise(sender);
    expect(wrong.summary).toMatch(/^1 of 4 checks failed/);
    expect(wrong.failures['your prediction matches what the browser held']).toMatch(
      /^you predicted 100,000 bytes; right after a send\(\) the browser held up to 1[0-9]{2},[0-9]{3}\. Where is the mark checked/,
    );

    const solution = await checkSolution(sender);
    expect(solution.summary).toBe('All 4 checks passed: exercise solved.');
    const [trial] = await shownOutputs(sender);
    expect(numberIn(trial ?? '', 'stillQueuedBytes')).toBeLessThanOrEqual(150_000);
  });

  it('"WebSocketStream: read at your pace": the starter lets the server pile megabytes up; the solution keeps its buffer flat', async () => {
    const reader = await chapter.exercise('stream-reader');
    expect(await reader.page().evaluate(() => 'WebSocketStream' in globalThis)).toBe(true);
    const starter = await checkExercise(reader, 60_000);
    expect(starter.summary, JSON.stringify(starter.failures)).toMatch(/^1 of 2 checks failed/);
    expect(starter.failures["keeps the server's buffer flat: never more than 1.0 MiB held for you"]).toMatch(
      /^the server held up to \d+\.\d MiB for you\. Your reader stopped pulling, so TCP pushed back, but the credit you gave let the server keep producing into its own memory$/,
    );
    const solution = await checkSolution(reader, 60_000);
    expect(solution.summary).toBe('All 2 checks passed: exercise solved.');
  });
});
