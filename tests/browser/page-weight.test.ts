import { describe, expect, it } from 'vitest';
import { newPage, SITE_DIR, useSiteInBrowser } from '../helpers/browser.ts';
import { recordScripts, total } from '../helpers/page-weight.ts';
import { sitePages } from '../helpers/site-pages.ts';

const SITE = SITE_DIR;
/** The design's budget: JavaScript a page loads before the reader runs anything. */
const BUDGET_GZIP_BYTES = 20 * 1024;

describe('page weight', () => {
  const session = useSiteInBrowser();

  it('every page loads at most 20 KB of gzipped JavaScript before the reader interacts', async () => {
    const report: string[] = [];
    for (const path of await sitePages(SITE)) {
      const { page } = await newPage(session.browser);
      const recorder = recordScripts(page);
      await page.goto(`${session.running.httpUrl}${path}`);
      await page.waitForLoadState('networkidle');
      await recorder.settled();
      const gzip = total(recorder.scripts, 'gzipBytes');
      report.push(`${path}: ${(gzip / 1024).toFixed(1)} KB gzip`);
      expect(gzip, `${path} loads ${String(gzip)} bytes of gzipped JavaScript: ${recorder.scripts.map((script) => script.url).join(', ')}`).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
      await page.context().close();
    }
    console.log(`JavaScript before interaction:\n  ${report.join('\n  ')}`);
  });

  it('chapter 1 loads the editor and the kernel only with the first Run (measured)', async () => {
    const { page } = await newPage(session.browser);
    const recorder = recordScripts(page);
    await page.goto(`${session.running.httpUrl}/why-websockets/`);
    await page.waitForLoadState('networkidle');
    await recorder.settled();
    const before = total(recorder.scripts, 'gzipBytes');
    const cell = page.locator('code-cell').first();
    await cell.locator('.sb-code-static').click();
    await cell.locator('.cm-content').waitFor();
    await cell.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => cell.getAttribute('data-state')).toBe('done');
    await page.waitForLoadState('networkidle');
    await recorder.settled();
    const after = total(recorder.scripts, 'gzipBytes');
    console.log(`Chapter 1 JavaScript: ${(before / 1024).toFixed(1)} KB gzip before interaction, ${(after / 1024).toFixed(1)} KB after the first edit and Run`);
    expect(after).toBeGreaterThan(before);
    await page.context().close();
  });
});
