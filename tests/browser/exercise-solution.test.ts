import { describe, expect, it } from 'vitest';
import { checkExercise, useChapterPages } from '../helpers/notebook-page.ts';

describe('"Put this solution in the editor"', () => {
  const chapter = useChapterPages('closing');

  it('takes effect at once: Check pressed while the editor is still loading checks the solution', async () => {
    const { page } = await chapter.open();
    // A slow network: the editor's code arrives two seconds after it is asked for.
    await page.route(/\/_astro\/editor[^/]*\.js$/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await route.continue();
    });
    const exercise = page.locator('notebook-exercise[data-cell-id="closing/should-reconnect"]');
    await exercise.locator('.sb-solution summary').click();
    await exercise.getByRole('button', { name: 'Put this solution in the editor' }).click();
    expect(await exercise.locator('.cm-content').count()).toBe(0);
    expect((await checkExercise(exercise)).summary).toBe('All 6 checks passed: exercise solved.');
    // The editor shows the solution once it has loaded, and the edit is kept.
    await expect.poll(() => exercise.locator('.cm-content').textContent(), { timeout: 10_000 }).toContain('const STAY_AWAY = new Set');
    await page.reload();
    await expect.poll(() => page.locator('notebook-exercise[data-cell-id="closing/should-reconnect"] .cm-content').textContent(), { timeout: 10_000 }).toContain(
      'const STAY_AWAY = new Set',
    );
  });
});
