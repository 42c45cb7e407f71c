import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { checkExercise, checkSolution, outputTexts, replaceCode, runAllCells, shownOutputs, useChapterPages } from '../helpers/notebook-page.ts';

/** The socket rows of a cell that report an error event or a close, without their time. */
async function endings(cell: Locator): Promise<string[]> {
  const rows = await outputTexts(cell);
  return rows.filter((row) => /^\+[\d.]+ m?ssocket \d+(close|error event)/.test(row)).map((row) => row.replace(/^\+[\d.]+ m?s/, ''));
}

describe('notebook cells on chapter 7 (closing)', () => {
  const chapter = useChapterPages('closing');

  it('runs all five cells against the real server and shows every ending as Chromium reports it', async () => {
    const { page, errors } = await chapter.open();
    expect(await page.locator('code-cell').count()).toBe(5);
    const cells = await runAllCells(page);

    expect(await shownOutputs(cells.nth(0))).toEqual(['Out[1]{code: 4401, reason: "token expired", wasClean: true}']);
    expect(await endings(cells.nth(0))).toEqual(['socket 1close 4401 "token expired" · clean · Private use: client error']);

    expect(await shownOutputs(cells.nth(1))).toEqual(['display{code: 4000, reason: "done here", wasClean: true}', 'Out[2]{code: 1005, reason: "", wasClean: true}']);

    expect(await shownOutputs(cells.nth(2))).toEqual([
      "display'no-status: close 1005, wasClean true, error event no'",
      // Chromium: a connection that just ends is not an error; one it fails is.
      "display'drop: close 1006, wasClean false, error event no'",
      "display'invalid-utf8: close 1006, wasClean false, error event yes'",
    ]);

    expect(await shownOutputs(cells.nth(3))).toEqual([
      `display'restart: the page got 1012; the server sent 88 08 03 f4 64 65 70 6c 6f 79; the browser sent back 1012 "deploy"'`,
      `display'broken-text: the page got 1006; the server sent 81 02 c3 28; the browser sent back 1002 "Invalid UTF-8 in text frame"'`,
    ]);

    expect(await shownOutputs(cells.nth(4))).toEqual([
      "display'close(1001) throws InvalidAccessError'",
      "display'close(1005) throws InvalidAccessError'",
      "display'close(1006) throws InvalidAccessError'",
      "display'close(2999) throws InvalidAccessError'",
      "display'close(5000) throws InvalidAccessError'",
      "display'a reason of 62 characters, 124 bytes, throws SyntaxError'",
      'display1',
      'Out[5]{code: 1000, reason: "rules checked", wasClean: true}',
    ]);
    // The refused close() calls sent nothing: the server saw the probe close once, with the final 1000.
    await expect.poll(() => chapter.session.running.log.filter((line) => line.includes(' close ') && line.includes('1000 "rules checked" by client'))).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});

/** Each exercise: what Check says about the starter code, and then about the solution. */
const EXERCISES: readonly { id: string; title: string; starter: string; failures: Record<string, string>; solved: string; serverLogAfterSolution?: string }[] = [
  {
    id: 'should-reconnect',
    title: 'Read the code before reconnecting',
    starter: '4 of 6 checks failed',
    failures: {
      'stays away after 1000: the conversation was ended on purpose':
        'expected shouldReconnect(1000) to be false, got true: a normal closure means whoever closed is done; coming back would start a conversation nobody asked for',
      'stays away when this client was refused (1002, 1003, 1007, 1008, 1009, 1010)':
        'expected shouldReconnect(1002) to be false, got true: 1002 means the server refused what this client sent or how it behaved, and would refuse it again',
      'stays away after 1015: the TLS handshake failed': 'expected shouldReconnect(1015) to be false, got true: a certificate that failed once fails the same way on every retry',
      "stays away after 4400–4499, the application's client errors":
        'expected shouldReconnect(4401) to be false, got true: 4401 means the token is refused; coming back with the same token gets the same answer',
    },
    solved: 'All 6 checks passed: exercise solved.',
  },
  {
    id: 'safe-close',
    title: 'A close() that never throws',
    starter: '2 of 4 checks failed',
    failures: {
      'turns a code a page may not send into 1000':
        'expected no exception from safeClose(socket, 1001, "leaving"), got InvalidAccessError: close() accepts only 1000 and 3000–4999 from a page',
      'cuts a longer reason to at most 123 bytes of UTF-8, between characters':
        'expected no exception from safeClose(socket, 4000, "éééééé…" (140 bytes)), got SyntaxError: close() refuses a reason over 123 bytes of UTF-8',
    },
    solved: 'All 4 checks passed: exercise solved.',
    // The checks ask the server what arrived: the 140-byte reason cut to 61 "é", 122 bytes.
    serverLogAfterSolution: `4000 "${'é'.repeat(61)}" by client`,
  },
  {
    id: 'describe-close',
    title: 'Clean, no status, or abnormal',
    starter: '2 of 3 checks failed',
    failures: {
      "says 'clean' when the closing handshake completed with a code":
        'expected "clean" for the close of /ws/close?code=4401&reason=token%20expired (code 4401, wasClean true), got "abnormal": a clean close can carry any code; wasClean says whether the handshake completed',
      "says 'no status' for a close frame with no code":
        'expected "no status" for the close of /ws/close?action=no-status (code 1005, wasClean true), got "abnormal": the server sent a close frame with an empty body, which the page sees as 1005; the handshake still completed',
    },
    solved: 'All 3 checks passed: exercise solved.',
  },
];

describe('exercises on chapter 7 (closing)', () => {
  const chapter = useChapterPages('closing');

  it.each(EXERCISES)('"$title": the starter fails with a reason per check; the solution passes', async ({ id, starter, failures, solved, serverLogAfterSolution }) => {
    const exercise = await chapter.exercise(id);
    const starterOutcome = await checkExercise(exercise);
    expect(starterOutcome.summary).toMatch(new RegExp(`^${starter}`));
    expect(starterOutcome.failures).toEqual(failures);
    expect((await checkSolution(exercise)).summary).toBe(solved);
    if (serverLogAfterSolution !== undefined) {
      expect(chapter.session.running.log.some((line) => line.includes(' close ') && line.includes(serverLogAfterSolution))).toBe(true);
    }
  });

  it('"A close() that never throws": cutting by bytes without minding characters is caught', async () => {
    const safeClose = await chapter.exercise('safe-close');
    // Cuts the UTF-8 bytes at 123 and decodes them: a split "é" becomes U+FFFD, three bytes, and close() throws.
    await replaceCode(
      safeClose,
      [
        'function safeClose(socket, code, reason = "") {',
        '  const bytes = new TextEncoder().encode(reason).slice(0, 123);',
        '  const allowed = code === 1000 || (code >= 3000 && code <= 4999);',
        '  try { socket.close(allowed ? code : 1000, new TextDecoder().decode(bytes)); } catch {}',
        '}',
      ].join('\n'),
    );
    const outcome = await checkExercise(safeClose);
    expect(outcome.failures).toEqual({
      'cuts a longer reason to at most 123 bytes of UTF-8, between characters':
        'expected safeClose(socket, 4000, "éééééé…" (140 bytes)) to close the socket, but it is still open: did close() throw, and the error go unreported?',
    });
  });
});
