import { describe, expect, it } from 'vitest';
import { newPage, SITE_DIR, useSiteInBrowser } from '../helpers/browser.ts';
import { sitePages } from '../helpers/site-pages.ts';

const SITE = SITE_DIR;

describe('the site', () => {
  const session = useSiteInBrowser();

  it('lists the chapters on the landing page, each a link (every chapter is published)', async () => {
    const { page } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/`);
    const chapters = page.locator('.sb-chapters li');
    expect(await chapters.count()).toBe(12);
    expect(await chapters.first().getByRole('link').getAttribute('href')).toBe('/why-websockets/');
    expect(await page.locator('.sb-chapters .sb-soon').count()).toBe(0);
    expect(await chapters.last().getByRole('link').getAttribute('href')).toBe('/testing/');
    await page.context().close();
  });

  it('never requests anything from another origin, on any page', async () => {
    for (const path of await sitePages(SITE)) {
      const { page, requests } = await newPage(session.browser);
      await page.goto(`${session.running.httpUrl}${path}`);
      await page.waitForLoadState('networkidle');
      expect(requests.filter((url) => !url.startsWith(session.running.httpUrl) && !url.startsWith(session.running.wsUrl) && !url.startsWith('data:')), path).toEqual([]);
      await page.context().close();
    }
  });

  it('searches the chapters, loading the search UI only when search is opened', async () => {
    const { page, requests } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/why-websockets/`);
    await page.waitForLoadState('networkidle');
    expect(requests.some((url) => url.includes('/pagefind/'))).toBe(false);
    await page.getByRole('button', { name: 'Search' }).click();
    const input = page.getByRole('textbox', { name: 'Search' });
    await input.waitFor();
    await input.fill('long polling');
    const result = page.locator('.pagefind-ui__result-link').first();
    await result.waitFor({ timeout: 10_000 });
    expect(await result.getAttribute('href')).toContain('/why-websockets/');
    await page.context().close();
  });

  it('switches between light and dark themes', async () => {
    const { page } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/why-websockets/`);
    await page.getByRole('combobox', { name: 'Select theme' }).first().selectOption('dark');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByRole('combobox', { name: 'Select theme' }).first().selectOption('light');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.context().close();
  });

  it('links chapters with previous/next', async () => {
    const { page } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/why-websockets/`);
    expect(await page.locator('.pagination-links a[rel="prev"]').getAttribute('href')).toBe('/');
    await page.context().close();
  });
});
