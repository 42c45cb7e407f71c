/**
 * How long each exercise's Check takes to fail its starter code, in the
 * built site (dist/) in Chromium: `node scripts/starter-check-times.ts
 * [--solution] [chapter …]` (`--solution` checks the solutions instead). Prints one line per exercise and the failing summary, so a
 * Check that waits for a timeout instead of failing once the outcome is
 * certain stands out. A report, not a test: timings vary with the machine.
 */
import { publishedChapters } from '../src/site/chapters.ts';
import { launchBrowser, newPage, SITE_DIR } from '../tests/helpers/browser.ts';
import { startServer } from '../tests/helpers/demo-server.ts';

const solution = process.argv.includes('--solution');
const only = process.argv.slice(2).filter((argument) => argument !== '--solution');
const browser = await launchBrowser();
const running = await startServer({ staticDir: SITE_DIR });
try {
  for (const chapter of publishedChapters) {
    if (only.length > 0 && !only.includes(chapter.slug)) continue;
    const { page } = await newPage(browser);
    await page.goto(`${running.httpUrl}/${chapter.slug}/`);
    const exercises = page.locator('notebook-exercise');
    for (let index = 0; index < (await exercises.count()); index++) {
      const exercise = exercises.nth(index);
      const id = await exercise.getAttribute('data-cell-id');
      const summary = exercise.locator('.sb-check-summary');
      if (solution) {
        await exercise.locator('.sb-solution summary').click();
        await exercise.getByRole('button', { name: 'Put this solution in the editor' }).click();
      }
      const started = performance.now();
      await exercise.getByRole('button', { name: 'Check' }).click();
      await summary.filter({ hasText: /checks? (passed|failed)/ }).waitFor({ timeout: 60_000 });
      const seconds = (performance.now() - started) / 1000;
      console.log(`${seconds.toFixed(1).padStart(5)} s  ${String(id).padEnd(40)} ${(await summary.textContent()) ?? ''}`);
    }
    await page.context().close();
  }
} finally {
  await browser.close();
  await running.close();
}
