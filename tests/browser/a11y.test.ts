import { describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { newPage, SITE_DIR, useSiteInBrowser } from '../helpers/browser.ts';
import { sitePages } from '../helpers/site-pages.ts';

const SITE = SITE_DIR;
/** The built site's pages (the browser project's global setup builds it before any file is read). */
const PAGES = await sitePages(SITE);
/**
 * One page in two themes: a few seconds on an idle machine, mostly axe's
 * colour-contrast rule walking every cell and exercise; far more on a busy
 * two-core one.
 */
const PAGE_TIMEOUT_MS = 120_000;

type Theme = 'light' | 'dark';

describe('accessibility (axe-core) of every page', () => {
  const session = useSiteInBrowser();

  it('finds the pages', () => {
    expect(PAGES).toContain('/why-websockets/');
  });

  // One page at a time: axe keeps the CPU busy, and pages loaded at once from one address run into the
  // server's per-address handshake limit, so their cells keep reconnecting and the network never goes idle.
  it.each(PAGES.map((path, index) => ({ path, index })))('$path has no axe violations, in light and dark themes', async ({ path, index }) => {
    // One load a page: axe in the theme it loaded with, then again after the reader's own switch
    // (Starlight's theme select). Every other page starts dark, so both themes are seen at load and after a switch.
    const [loaded, switched]: [Theme, Theme] = index % 2 === 0 ? ['light', 'dark'] : ['dark', 'light'];
    const { page } = await newPage(session.browser);
    await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), loaded);
    await page.goto(`${session.running.httpUrl}${path}`);
    // Let lazy cells connect and render their live state before checking it. Playwright's 30 s
    // default ran out once for /chat/ at load 22 on this shared machine.
    await page.waitForLoadState('networkidle', { timeout: 60_000 });
    const failures: string[] = [];
    const check = async (theme: Theme) => {
      expect(await page.evaluate(() => document.documentElement.dataset.theme), path).toBe(theme);
      for (const violation of await axeViolations(page)) {
        failures.push(`${path} (${theme}): ${violation.id} (${violation.impact ?? 'n/a'}): ${violation.help} at ${violation.targets.slice(0, 3).join(', ')}`);
      }
    };
    await check(loaded);
    await page.getByRole('combobox', { name: 'Select theme' }).selectOption(switched);
    await check(switched);
    await page.context().close();
    expect(failures).toEqual([]);
  }, PAGE_TIMEOUT_MS);
});
