import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations } from './axe.ts';
import { newPage } from './browser.ts';

/**
 * What chapter tests do with a notebook page as a reader would: run every
 * cell, read what appears under a cell, and check an exercise's starter and
 * solution.
 */

/** The output rows under a cell. */
export function outputs(cell: Locator): Locator {
  return cell.locator('.sb-outputs .sb-out');
}

/** The text of a cell's rows of one kind ('display', 'result', 'log', 'socket', …), in order. */
export function outputTexts(cell: Locator, kind: string): Promise<string[]> {
  return cell.locator(`.sb-outputs .sb-out[data-kind="${kind}"] .sb-out-body`).allTextContents();
}

export async function waitForState(cell: Locator, state: string, timeout = 10_000): Promise<void> {
  await expect.poll(() => cell.getAttribute('data-state'), { timeout }).toBe(state);
}

/** Presses "Run all cells" and waits until every code cell on the page has run without error. */
export async function runAllCells(page: Page, timeout: number): Promise<Locator> {
  const cells = page.locator('code-cell');
  await cells.first().getByRole('button', { name: 'Run all cells' }).click();
  const count = await cells.count();
  await waitForState(cells.nth(count - 1), 'done', timeout);
  for (let index = 0; index < count; index++) expect(await cells.nth(index).getAttribute('data-state')).toBe('done');
  return cells;
}

/** `name: 12.5` from a summary such as `{perSecond: 50, meanDelayMs: 101.5}`. */
export function numberIn(text: string, name: string): number {
  const match = new RegExp(`${name}: (-?[\\d.]+)`).exec(text);
  if (match?.[1] === undefined) throw new Error(`no ${name} in ${JSON.stringify(text)}`);
  return Number(match[1]);
}

export interface CheckOutcome {
  readonly outcome: string | null;
  readonly summary: string;
  /** Each result as its text: mark, check name, reason. */
  readonly results: string[];
}

/** Presses Check on an exercise and waits for the verdict. */
export async function checkExercise(exercise: Locator, timeout = 40_000): Promise<CheckOutcome> {
  const summary = exercise.locator('.sb-check-summary');
  // Clear the previous verdict, so that only this Check's can be read.
  await summary.evaluate((node) => {
    node.textContent = '';
  });
  await exercise.getByRole('button', { name: 'Check' }).click();
  await expect.poll(async () => !['', 'Checking your code in a fresh kernel…'].includes((await summary.textContent()) ?? ''), { timeout }).toBe(true);
  return {
    outcome: await summary.getAttribute('data-outcome'),
    summary: (await summary.textContent()) ?? '',
    results: await exercise.locator('.sb-check-results li').allTextContents(),
  };
}

/** Opens the solution, puts it in the editor and checks it. */
export async function checkSolution(exercise: Locator, timeout = 40_000): Promise<CheckOutcome> {
  await exercise.locator('.sb-solution summary').click();
  await exercise.getByRole('button', { name: 'Put this solution in the editor' }).click();
  return checkExercise(exercise, timeout);
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
