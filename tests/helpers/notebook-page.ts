import type { Browser, Locator, Page } from 'playwright-core';
import { afterEach, expect, type ExpectStatic } from 'vitest';
import { axeViolations } from './axe.ts';
import { newPage, useSiteInBrowser, type SiteSession } from './browser.ts';

/**
 * What chapter tests do with a page's notebook, as a reader would: run every
 * cell, read what appears under each, and check an exercise with the starter
 * code, the solution, or code of their own. The helpers that wait take an
 * optional last `check`: a concurrent test (`describe.concurrent`) passes its
 * own `expect` from the test's context, since the global one cannot tell which
 * of the running tests a poll belongs to.
 */

/** The output rows under a cell. */
export function outputs(cell: Locator): Locator {
  return cell.locator('.sb-outputs .sb-out');
}

/** The text of each output row under a cell or exercise, in order. */
export function outputTexts(cell: Locator): Promise<string[]> {
  return outputs(cell).allTextContents();
}

/** The text of a cell's rows of one kind ('display', 'result', 'log', 'socket', …), in order, without time and label. */
export function outputTextsOfKind(cell: Locator, kind: string): Promise<string[]> {
  return cell.locator(`.sb-outputs .sb-out[data-kind="${kind}"] .sb-out-body`).allTextContents();
}

/** Waits until `cell` reports `state` (`done`, `error`, `running`, …). */
export async function waitForCellState(cell: Locator, state: string, timeoutMs = 10_000, check: ExpectStatic = expect): Promise<void> {
  await check.poll(() => cell.getAttribute('data-state'), { timeout: timeoutMs }).toBe(state);
}

/** Clicks a cell's Run and waits for this run (a new execution number) to end in `state`. */
export async function runCell(cell: Locator, state: string, timeoutMs = 10_000, check: ExpectStatic = expect): Promise<void> {
  const before = await cell.locator('.sb-exec-count').textContent();
  await cell.getByRole('button', { name: 'Run', exact: true }).click();
  await check.poll(() => cell.locator('.sb-exec-count').textContent(), { timeout: timeoutMs }).not.toBe(before);
  await waitForCellState(cell, state, timeoutMs, check);
}

/**
 * Clicks "Run all cells" and waits until every code cell on the page has
 * run to `done`; returns the cells. `timeoutMs` is for the whole page.
 */
export async function runAllCells(page: Page, timeoutMs = 60_000, check: ExpectStatic = expect): Promise<Locator> {
  const cells = page.locator('code-cell');
  const count = await cells.count();
  await cells.first().getByRole('button', { name: 'Run all cells' }).click();
  await waitForCellState(cells.nth(count - 1), 'done', timeoutMs, check);
  for (let index = 0; index < count; index++) check(await cells.nth(index).getAttribute('data-state'), `cell ${String(index + 1)}`).toBe('done');
  return cells;
}

/** Replaces an exercise's or cell's code through its editor: focus, select all, insert. */
export async function replaceCode(cell: Locator, code: string): Promise<void> {
  const editor = cell.locator('.cm-content');
  if (await cell.locator('.sb-code-static').isVisible()) await cell.locator('.sb-code-static').click();
  await editor.waitFor();
  await editor.click();
  await editor.press('ControlOrMeta+a');
  await editor.press('Delete');
  // insertText keeps the text exactly (typing would trigger auto-indent and bracket closing).
  await cell.page().keyboard.insertText(code);
}

/** Opens "Show a solution" and puts the solution in the editor. */
export async function useSolution(exercise: Locator): Promise<void> {
  await exercise.locator('.sb-solution summary').click();
  await exercise.getByRole('button', { name: 'Put this solution in the editor' }).click();
}

export interface CheckOutcome {
  /** `passed` or `failed`. */
  readonly outcome: string | null;
  /** "All 4 checks passed: exercise solved." or "2 of 4 checks failed. …" */
  readonly summary: string;
  /** Each check as shown: mark, name and reason, e.g. "✗ failed<name><reason>". */
  readonly results: string[];
  /** The reason of each failed check, by check name. */
  readonly failures: Record<string, string>;
}

/** Presses Check and waits for this check's results (not a previous one's). */
export async function checkExercise(exercise: Locator, timeoutMs = 45_000, check: ExpectStatic = expect): Promise<CheckOutcome> {
  const summary = exercise.locator('.sb-check-summary');
  await exercise.getByRole('button', { name: 'Check' }).click();
  // The click replaces the previous result with "Checking…" at once; wait for the new one.
  await check.poll(async () => /checks? (passed|failed)/.test((await summary.textContent()) ?? ''), { timeout: timeoutMs }).toBe(true);
  const items = exercise.locator('.sb-check-results li');
  const failures: Record<string, string> = {};
  for (let index = 0; index < (await items.count()); index++) {
    const item = items.nth(index);
    if ((await item.getAttribute('data-passed')) === 'true') continue;
    failures[(await item.locator('.sb-check-name').textContent()) ?? ''] = (await item.locator('.sb-check-reason').textContent()) ?? '';
  }
  return {
    outcome: await summary.getAttribute('data-outcome'),
    summary: (await summary.textContent()) ?? '',
    results: await items.allTextContents(),
    failures,
  };
}

/** Puts the exercise's solution in the editor and checks it. */
export async function checkSolution(exercise: Locator, timeoutMs = 45_000, check: ExpectStatic = expect): Promise<CheckOutcome> {
  await useSolution(exercise);
  return checkExercise(exercise, timeoutMs, check);
}

/** The display and Out rows under a cell, without their times: what the cell's own code showed. */
export async function shownOutputs(cell: Locator): Promise<string[]> {
  const rows = await outputTexts(cell);
  return rows.filter((row) => /^\+[\d.]+ m?s(display|Out\[)/.test(row)).map((row) => row.replace(/^\+[\d.]+ m?s/, ''));
}

/** `name: 12.5` from a summary such as `{perSecond: 50, meanDelayMs: 101.5}`. */
export function numberIn(text: string, name: string): number {
  const match = new RegExp(`${name}: (-?[\\d.]+)`).exec(text);
  if (match?.[1] === undefined) throw new Error(`no ${name} in ${JSON.stringify(text)}`);
  return Number(match[1]);
}

/** Opens `url` in a new page and finds the exercise `id` (as in `<Exercise id>`) of `chapter`. */
export async function openExercise(browser: Browser, url: string, chapter: string, id: string): Promise<{ page: Page; exercise: Locator }> {
  const { page } = await newPage(browser);
  await page.goto(url);
  return { page, exercise: page.locator(`notebook-exercise[data-cell-id="${chapter}/${id}"]`) };
}

/** axe-core's violations on the page as readable lines, for `toEqual([])`. */
export async function axeProblems(page: Page): Promise<string[]> {
  return (await axeViolations(page)).map((violation) => `${violation.id} ${violation.help} at ${violation.targets.join(', ')}`);
}

export interface ChapterPages {
  readonly session: SiteSession;
  /** Opens the chapter in a new page, closed after the test; `errors` collects uncaught page errors. */
  open(): Promise<{ page: Page; errors: string[] }>;
  /** Opens the chapter and returns the exercise with this id. */
  exercise(id: string): Promise<Locator>;
}

/**
 * For a `describe` block: the built site in Chromium (see `useSiteInBrowser`),
 * and a fresh page of `chapter` (its slug, e.g. `chat`) for each test.
 */
export function useChapterPages(chapter: string): ChapterPages {
  const session = useSiteInBrowser();
  const pages: Page[] = [];
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.context().close();
  });
  const open = async () => {
    const opened = await newPage(session.browser);
    pages.push(opened.page);
    await opened.page.goto(`${session.running.httpUrl}/${chapter}/`);
    return opened;
  };
  return {
    session,
    open,
    async exercise(id) {
      const { page } = await open();
      return page.locator(`notebook-exercise[data-cell-id="${chapter}/${id}"]`);
    },
  };
}
