import { describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { newPage, SITE_DIR, useSiteInBrowser } from '../helpers/browser.ts';
import { sitePages } from '../helpers/site-pages.ts';

const SITE = SITE_DIR;
/**
 * Every page in two themes takes about 2 s a page on a busy two-core machine
 * (axe walks every cell and exercise): over the default 60 s once the
 * chapters have their notebook cells.
 */
const A11Y_TIMEOUT_MS = 240_000;

describe('accessibility (axe-core) of every page', () => {
  const session = useSiteInBrowser();

  it('finds the pages', async () => {
    expect(await sitePages(SITE)).toContain('/why-websockets/');
  });

  it('has no axe violations on any page, in light and dark themes', async () => {
    const failures: string[] = [];
    for (const path of await sitePages(SITE)) {
      for (const theme of ['light', 'dark']) {
        const { page } = await newPage(session.browser);
        await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
        await page.goto(`${session.running.httpUrl}${path}`);
        // Let lazy cells connect and render their live state before checking it.
        await page.waitForLoadState('networkidle');
        for (const violation of await axeViolations(page)) {
          failures.push(`${path} (${theme}): ${violation.id} (${violation.impact ?? 'n/a'}): ${violation.help} at ${violation.targets.slice(0, 3).join(', ')}`);
        }
        await page.close();
      }
    }
    expect(failures).toEqual([]);
  }, A11Y_TIMEOUT_MS);
});
