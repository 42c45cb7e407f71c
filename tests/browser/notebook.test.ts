import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';
import { outputs, replaceCode as editCell, runCell, waitForCellState } from '../helpers/notebook-page.ts';

const CHAPTER = '/why-websockets/';

describe('notebook cells on chapter 1', () => {
  const session = useSiteInBrowser();
  let page: Page;
  let errors: string[];
  afterEach(async () => {
    await page.context().close();
  });

  async function open(path = CHAPTER): Promise<Page> {
    ({ page, errors } = await newPage(session.browser));
    await page.goto(`${session.running.httpUrl}${path}`);
    return page;
  }

  it('runs the cells top to bottom with Run all: a socket opened in one cell is used by the next', async () => {
    await open();
    const cells = page.locator('code-cell');
    expect(await cells.count()).toBe(5);
    await cells.first().getByRole('button', { name: 'Run all cells' }).click();
    await waitForCellState(cells.nth(4), 'done', 20_000);
    for (let index = 0; index < 5; index++) expect(await cells.nth(index).getAttribute('data-state')).toBe('done');
    expect(await cells.nth(0).locator('.sb-exec-count').textContent()).toBe('[1]');
    expect(await cells.nth(4).locator('.sb-exec-count').textContent()).toBe('[5]');
    // Cell 1 owns the socket: its events, including the echoes of cell 3's sends, appear there.
    await expect.poll(() => outputs(cells.nth(0)).allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('open'), expect.stringContaining("↓ received'Hello from a notebook cell'26 B")]),
    );
    // Cell 2's listener logs every echo under cell 2.
    expect(await outputs(cells.nth(1)).first().textContent()).toContain('server says:Hello from a notebook cell');
    expect(await outputs(cells.nth(3)).last().textContent()).toMatch(/Out\[4\].*came back after \d+\.\d\d ms/);
    expect(await outputs(cells.nth(4)).last().textContent()).toContain('{code: 1000, reason: "finished chapter 1", wasClean: true}');
    expect(errors).toEqual([]);
  });

  it('loads no editor or kernel code until the reader focuses or runs a cell', async () => {
    const scripts: string[] = [];
    ({ page } = await newPage(session.browser));
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(request.url());
    });
    await page.goto(`${session.running.httpUrl}${CHAPTER}`);
    await page.waitForLoadState('networkidle');
    expect(scripts.some((url) => /editor|page-kernel|worker/.test(url))).toBe(false);
    const cell = page.locator('code-cell').first();
    await cell.locator('.sb-code-static').click();
    await cell.locator('.cm-content').waitFor();
    expect(scripts.some((url) => url.includes('editor'))).toBe(true);
    expect(scripts.some((url) => url.includes('worker'))).toBe(false);
    await cell.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForCellState(cell, 'done');
    expect(scripts.some((url) => url.includes('worker'))).toBe(true);
  });

  it('wraps long lines in the editor as the static code does, so a focused cell never scrolls sideways on a phone', async () => {
    await open('/backpressure/');
    await page.setViewportSize({ width: 390, height: 844 });
    const cell = page.locator('code-cell').first();
    await cell.scrollIntoViewIfNeeded();
    const staticWidth = await cell.locator('.sb-code-static').evaluate((element) => element.getBoundingClientRect().width);
    await cell.locator('.sb-code-static').click();
    const scroller = cell.locator('.cm-scroller');
    await scroller.waitFor();
    const { scrollWidth, clientWidth, width } = await scroller.evaluate((element) => ({ scrollWidth: element.scrollWidth, clientWidth: element.clientWidth, width: element.getBoundingClientRect().width }));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth + 1);
    expect(Math.abs(width - staticWidth)).toBeLessThanOrEqual(2);
  });

  it('runs an edited cell with Shift+Enter, keeps the edit across a reload, and Reset restores the original', async () => {
    await open();
    const cell = page.locator('code-cell').nth(2);
    await editCell(cell, "const greeting = 'edited';\ndisplay(greeting.toUpperCase());");
    await page.keyboard.press('Shift+Enter');
    await waitForCellState(cell, 'done');
    expect(await outputs(cell).first().textContent()).toContain("'EDITED'");
    await expect.poll(() => cell.locator('.sb-edited').isVisible()).toBe(true);
    await page.reload();
    const reloaded = page.locator('code-cell').nth(2);
    await reloaded.locator('.cm-content').waitFor();
    expect(await reloaded.locator('.cm-content').textContent()).toContain("const greeting = 'edited';");
    await reloaded.getByRole('button', { name: 'Reset' }).click();
    expect(await reloaded.locator('.cm-content').textContent()).toContain("socket.send('Hello from a notebook cell');");
    expect(await reloaded.getByRole('button', { name: 'Reset' }).isDisabled()).toBe(true);
    await page.reload();
    expect(await page.locator('code-cell').nth(2).locator('.sb-code-static').isVisible()).toBe(true);
  });

  it('shows a clear error with its line when a cell is broken', async () => {
    await open();
    const cell = page.locator('code-cell').nth(2);
    await editCell(cell, "const a = 1;\nsocket.send('x');");
    await runCell(cell, 'error');
    expect(await outputs(cell).last().locator('.sb-out-body').textContent()).toBe('ReferenceError: socket is not defined (line 2, column 1)');
    expect(await cell.locator('.sb-run-state').textContent()).toBe('error');
    await editCell(cell, 'const = 2;');
    await runCell(cell, 'error');
    expect(await outputs(cell).last().textContent()).toContain('SyntaxError: Unexpected token (line 1, column 7)');
  });

  it('stops an endless loop without freezing the page, restarting the kernel', async () => {
    await open();
    const cell = page.locator('code-cell').nth(2);
    await editCell(cell, 'while (true) {}');
    await cell.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForCellState(cell, 'running');
    // The loop runs in the worker: the page still answers.
    const started = Date.now();
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    expect(Date.now() - started).toBeLessThan(5_000);
    await cell.getByRole('button', { name: 'Stop' }).click();
    await waitForCellState(cell, 'stopped');
    expect(await outputs(cell).last().textContent()).toContain('The code never gave control back (an endless loop?), so the kernel was restarted');
    // The new kernel works.
    await editCell(cell, '1 + 1');
    await cell.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForCellState(cell, 'done');
    expect(await outputs(cell).last().textContent()).toContain('Out[1]2');
  });

  it('stops a run that is waiting, without a restart', async () => {
    await open();
    const cell = page.locator('code-cell').nth(2);
    await editCell(cell, "console.log('waiting');\nawait sleep(60000);");
    await cell.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => outputs(cell).count()).toBe(1);
    await cell.getByRole('button', { name: 'Stop' }).click();
    await waitForCellState(cell, 'stopped');
    expect(await outputs(cell).allTextContents()).toEqual([expect.stringContaining('waiting')]);
  });

  it('Restart kernel closes the sockets and forgets the variables', async () => {
    await open();
    const first = page.locator('code-cell').first();
    await first.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForCellState(first, 'done');
    const closesBefore = session.running.log.filter((line) => line.includes(' close ')).length;
    await first.getByRole('button', { name: 'Restart kernel' }).click();
    await expect.poll(() => outputs(first).allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('close 1000 "kernel restarted" · clean'), expect.stringContaining('Kernel restarted')]),
    );
    await expect.poll(() => session.running.log.filter((line) => line.includes(' close ')).length).toBe(closesBefore + 1);
    expect(session.running.log.filter((line) => line.includes(' close ')).at(-1)).toContain('1000 "kernel restarted" by client');
    const second = page.locator('code-cell').nth(2);
    await second.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForCellState(second, 'error');
    expect(await outputs(second).last().textContent()).toContain('ReferenceError: socket is not defined');
  });

  it('is usable from the keyboard: Tab to a cell, Shift+Enter runs it', async () => {
    await open();
    const cell = page.locator('code-cell').first();
    await cell.locator('.sb-code-static').focus();
    await cell.locator('.cm-content').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('cm-content'))).toBe(true);
    await page.keyboard.press('Shift+Enter');
    await waitForCellState(cell, 'done');
  });
});

describe('exercises on chapter 1', () => {
  const session = useSiteInBrowser();

  it('fails the starter code with specific reasons, then passes the solution and stays solved after reload', async () => {
    const { page } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}${CHAPTER}`);
    const exercise = page.locator('notebook-exercise').first();
    const progress = page.locator('course-progress .sb-progress-text');
    const total = Number(/of (\d+)/.exec((await progress.textContent()) ?? '')?.[1]);
    expect(total).toBeGreaterThanOrEqual(2);
    expect(await progress.textContent()).toBe(`Exercises solved: 0 of ${String(total)}`);
    await exercise.getByRole('button', { name: 'Check' }).click();
    const summary = exercise.locator('.sb-check-summary');
    await expect.poll(() => summary.getAttribute('data-outcome'), { timeout: 30_000 }).toBe('failed');
    const results = exercise.locator('.sb-check-results li');
    expect(await results.nth(0).getAttribute('data-passed')).toBe('true');
    expect(await results.nth(1).textContent()).toBe("✗ failedsends 'one', 'two' and 'three', in that orderexpected three messages once the socket opened, but your code sent nothing");
    expect(await summary.textContent()).toMatch(/^3 of 4 checks failed/);

    await exercise.locator('.sb-solution summary').click();
    await exercise.getByRole('button', { name: 'Put this solution in the editor' }).click();
    await exercise.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => summary.getAttribute('data-outcome'), { timeout: 30_000 }).toBe('passed');
    expect(await summary.textContent()).toBe('All 4 checks passed: exercise solved.');
    expect(await exercise.locator('.sb-solved').isVisible()).toBe(true);
    expect(await progress.textContent()).toBe(`Exercises solved: 1 of ${String(total)}`);
    expect(await page.locator('nav.sidebar a[href="/why-websockets/"] .sb-chapter-progress').textContent()).toBe('1/2');

    await page.reload();
    expect(await page.locator('notebook-exercise').first().locator('.sb-solved').isVisible()).toBe(true);
    expect(await page.locator('course-progress .sb-progress-text').textContent()).toBe(`Exercises solved: 1 of ${String(total)}`);
    // Progress shows on other pages too.
    await page.goto(`${session.running.httpUrl}/`);
    expect(await page.locator('course-progress .sb-progress-text').textContent()).toBe(`Exercises solved: 1 of ${String(total)}`);
    await page.context().close();
  });

  it('says what Run and Check each do, and each does that: Run shows output and judges nothing, Check judges', async () => {
    const { page } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}${CHAPTER}`);
    const exercise = page.locator('notebook-exercise').first();
    const description = (name: string) =>
      exercise.getByRole('button', { name, exact: true }).evaluate((button) => {
        const ids = (button.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id !== '');
        return ids.map((id) => document.getElementById(id)?.textContent.replace(/\s+/g, ' ').trim() ?? `missing #${id}`).join(' ');
      });
    const expected =
      "Run runs your code against the live server and shows its output, like any cell on the page. Check runs it on its own, in a fresh kernel, and judges it against this exercise's checks; passing them all marks it solved.";
    expect(await description('Run')).toBe(expected);
    expect(await description('Check')).toBe(expected);
    expect(await exercise.locator('.sb-exercise-buttons').isVisible()).toBe(true);

    await runCell(exercise, 'done');
    await expect.poll(() => outputs(exercise).count()).toBeGreaterThan(0);
    expect(await exercise.locator('.sb-check-summary').textContent()).toBe('');
    await exercise.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => exercise.locator('.sb-check-summary').getAttribute('data-outcome'), { timeout: 30_000 }).toBe('failed');
    await page.context().close();
  });

  it('gives the close-code reason when the socket closes with the wrong code', async () => {
    const { page } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}${CHAPTER}`);
    const exercise = page.locator('notebook-exercise').first();
    await exercise.locator('.sb-code-static').click();
    await exercise.locator('.cm-content').waitFor();
    await exercise.locator('.cm-content').press('ControlOrMeta+a');
    await page.keyboard.insertText(
      "const socket = new WebSocket(`${SERVER}/ws/echo`);\nconst echoes = [];\nsocket.onopen = () => ['one', 'two', 'three'].forEach((word) => socket.send(word));\nsocket.onmessage = (event) => { echoes.push(event.data); if (echoes.length === 3) socket.close(4000); };",
    );
    await exercise.getByRole('button', { name: 'Check' }).click();
    const summary = exercise.locator('.sb-check-summary');
    await expect.poll(() => summary.getAttribute('data-outcome'), { timeout: 30_000 }).toBe('failed');
    expect(await exercise.locator('.sb-check-results li').last().textContent()).toBe('✗ failedcloses with code 1000expected the close code 1000, got 4000');
    await page.context().close();
  });
});
