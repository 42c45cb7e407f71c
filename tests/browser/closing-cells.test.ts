import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';
import { checkExercise, outputTexts, replaceCode, runAllCells, useSolution } from '../helpers/notebook-page.ts';

const CHAPTER = '/closing/';

/** The display and Out rows of a cell, without their time: what the cell's code showed. */
async function shown(cells: Locator, index: number): Promise<string[]> {
  const rows = await outputTexts(cells.nth(index));
  return rows.filter((row) => /^\+[\d.]+ m?s(display|Out\[)/.test(row)).map((row) => row.replace(/^\+[\d.]+ m?s/, ''));
}

/** The socket rows of a cell that report an error event or a close, without their time. */
async function endings(cells: Locator, index: number): Promise<string[]> {
  const rows = await outputTexts(cells.nth(index));
  return rows.filter((row) => /^\+[\d.]+ m?ssocket \d+(close|error event)/.test(row)).map((row) => row.replace(/^\+[\d.]+ m?s/, ''));
}

describe('notebook cells on chapter 9 (closing)', () => {
  const session = useSiteInBrowser();
  let page: Page;
  afterEach(async () => {
    await page.context().close();
  });

  it('runs all five cells against the real server and shows every ending as Chromium reports it', async () => {
    let errors: string[];
    ({ page, errors } = await newPage(session.browser));
    await page.goto(`${session.running.httpUrl}${CHAPTER}`);
    expect(await page.locator('code-cell').count()).toBe(5);
    const cells = await runAllCells(page);

    expect(await shown(cells, 0)).toEqual(['Out[1]{code: 4401, reason: "token expired", wasClean: true}']);
    expect(await endings(cells, 0)).toEqual(['socket 1close 4401 "token expired" · clean · Private use: client error']);

    expect(await shown(cells, 1)).toEqual(['display{code: 4000, reason: "done here", wasClean: true}', 'Out[2]{code: 1005, reason: "", wasClean: true}']);

    expect(await shown(cells, 2)).toEqual([
      "display'no-status: close 1005, wasClean true, error event no'",
      // Chromium: a connection that just ends is not an error; one it fails is.
      "display'drop: close 1006, wasClean false, error event no'",
      "display'invalid-utf8: close 1006, wasClean false, error event yes'",
    ]);

    expect(await shown(cells, 3)).toEqual([
      `display'restart: the page got 1012; the server sent 88 08 03 f4 64 65 70 6c 6f 79; the browser sent back 1012 "deploy"'`,
      `display'broken-text: the page got 1006; the server sent 81 02 c3 28; the browser sent back 1002 "Invalid UTF-8 in text frame"'`,
    ]);

    expect(await shown(cells, 4)).toEqual([
      "display'close(1001) throws InvalidAccessError'",
      "display'close(1005) throws InvalidAccessError'",
      "display'close(1006) throws InvalidAccessError'",
      "display'close(2999) throws InvalidAccessError'",
      "display'close(5000) throws InvalidAccessError'",
      "display'a reason of 62 characters, 124 bytes, throws SyntaxError'",
      'display1',
      'Out[5]{code: 1000, reason: "rules checked", wasClean: true}',
    ]);
    // Nothing the refused close() calls asked for reached the server: only the final 1000.
    expect(session.running.log.filter((line) => line.includes(' close ') && line.includes('"rules checked"'))).toHaveLength(1);
    expect(session.running.log.some((line) => line.includes(' close ') && / 5000 | 2999 /.test(line))).toBe(false);
    expect(errors).toEqual([]);
  });
});

describe('exercises on chapter 9 (closing)', () => {
  const session = useSiteInBrowser();
  let page: Page;
  afterEach(async () => {
    await page.context().close();
  });

  async function exercise(id: string): Promise<Locator> {
    ({ page } = await newPage(session.browser));
    await page.goto(`${session.running.httpUrl}${CHAPTER}`);
    return page.locator(`notebook-exercise[data-cell-id="closing/${id}"]`);
  }

  it('"Read the code before reconnecting": the always-reconnect starter fails with the reason per code; the solution passes', async () => {
    const shouldReconnect = await exercise('should-reconnect');
    const starter = await checkExercise(shouldReconnect);
    expect(starter.summary).toMatch(/^4 of 6 checks failed/);
    expect(starter.failures).toEqual({
      'stays away after 1000: the conversation was ended on purpose':
        'expected shouldReconnect(1000) to be false, got true: a normal closure means whoever closed is done; coming back would start a conversation nobody asked for',
      'stays away when this client was refused (1002, 1003, 1007, 1008, 1009, 1010)':
        'expected shouldReconnect(1002) to be false, got true: 1002 means the server refused what this client sent or how it behaved, and would refuse it again',
      'stays away after 1015: the TLS handshake failed': 'expected shouldReconnect(1015) to be false, got true: a certificate that failed once fails the same way on every retry',
      "stays away after 4400–4499, the application's client errors":
        'expected shouldReconnect(4401) to be false, got true: 4401 means the token is refused; coming back with the same token gets the same answer',
    });

    await useSolution(shouldReconnect);
    expect((await checkExercise(shouldReconnect)).summary).toBe('All 6 checks passed: exercise solved.');
  });

  it('"A close() that never throws": the starter throws the browser\'s exceptions; the solution passes, checked by the server', async () => {
    const safeClose = await exercise('safe-close');
    const starter = await checkExercise(safeClose);
    expect(starter.summary).toMatch(/^2 of 4 checks failed/);
    expect(starter.failures).toEqual({
      'turns a code a page may not send into 1000':
        'expected no exception from safeClose(socket, 1001, "leaving"), got InvalidAccessError: close() accepts only 1000 and 3000–4999 from a page',
      'cuts a longer reason to at most 123 bytes of UTF-8, between characters':
        'expected no exception from safeClose(socket, 4000, "éééééé…" (140 bytes)), got SyntaxError: close() refuses a reason over 123 bytes of UTF-8',
    });

    await useSolution(safeClose);
    expect((await checkExercise(safeClose)).summary).toBe('All 4 checks passed: exercise solved.');
    // The server received every close the checks made, and none was refused.
    expect(session.running.log.some((line) => line.includes(' close ') && line.includes('4000 "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé" by client'))).toBe(true);
  });

  it('"A close() that never throws": cutting by bytes without minding characters is caught', async () => {
    const safeClose = await exercise('safe-close');
    // Cuts the UTF-8 bytes at 123 and decodes them: a split "é" becomes U+FFFD, three bytes.
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

  it('"Clean, no status, or abnormal": the starter confuses the code with the handshake; the solution passes', async () => {
    const describeClose = await exercise('describe-close');
    const starter = await checkExercise(describeClose);
    expect(starter.summary).toMatch(/^2 of 3 checks failed/);
    expect(starter.failures).toEqual({
      "says 'clean' when the closing handshake completed with a code":
        'expected "clean" for the close of /ws/close?code=4401&reason=token%20expired (code 4401, wasClean true), got "abnormal": a clean close can carry any code; wasClean says whether the handshake completed',
      "says 'no status' for a close frame with no code":
        'expected "no status" for the close of /ws/close?action=no-status (code 1005, wasClean true), got "abnormal": the server sent a close frame with an empty body, which the page sees as 1005; the handshake still completed',
    });

    await useSolution(describeClose);
    expect((await checkExercise(describeClose)).summary).toBe('All 3 checks passed: exercise solved.');
  });
});
