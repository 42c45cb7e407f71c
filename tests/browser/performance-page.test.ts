import { describe, expect, it } from 'vitest';
import benchmarks from '../../src/data/benchmarks.json';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';

describe('the Performance page', () => {
  const session = useSiteInBrowser();

  it('is linked from the sidebar with the reference, and shows the published server and site tables', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/reference/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Performance', exact: true }).click();
    await page.waitForURL('**/performance/');
    const server = page.getByRole('table', { name: /same machine, same run/ });
    for (const scenario of benchmarks.server.scenarios) {
      await expect.poll(() => server.getByRole('rowheader', { name: scenario.title, exact: true }).count()).toBe(1);
    }
    expect(await server.getByRole('columnheader').allTextContents()).toEqual(['Metric', 'Socketbook', 'bare ws', 'Ratio', 'Budget']);
    const weights = page.getByRole('table', { name: /What each page loads/ });
    const scores = page.getByRole('table', { name: /Lighthouse/ });
    for (const site of benchmarks.site.pages) {
      expect(await weights.getByRole('rowheader', { name: site.path, exact: true }).count(), site.path).toBe(1);
      expect(await scores.getByRole('rowheader', { name: site.path, exact: true }).count(), site.path).toBe(1);
    }
    expect(await page.locator('[data-measured="server"]').textContent()).toContain(`${String(benchmarks.server.machine.cores)} cores`);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
