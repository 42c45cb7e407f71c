import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { publishedChapters } from '../../src/site/chapters.ts';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';
import { axeProblems } from '../helpers/notebook-page.ts';

const NAME = 'Labs and exercises on this page';

/** Every lab (a section labelled by its title) and exercise on the page, in order, as the summary should list them. */
function labsAndExercises(page: Page) {
  return page.locator('main section.sb-cell[aria-labelledby], main notebook-exercise section.sb-cell').evaluateAll((sections) =>
    sections.map((section) => {
      const title = section.getAttribute('aria-labelledby');
      return {
        id: section.id,
        label: title === null ? (section.getAttribute('aria-label') ?? '').replace(/^Exercise: /, '') : (document.getElementById(title)?.textContent.trim() ?? ''),
        kind: title === null ? 'Exercise' : 'Lab',
      };
    }),
  );
}

describe('the summary of labs and exercises at the top of each chapter', () => {
  const session = useSiteInBrowser();
  const pages: Page[] = [];
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.context().close();
  });
  async function open(path: string, theme?: 'light' | 'dark'): Promise<Page> {
    const { page } = await newPage(session.browser);
    pages.push(page);
    if (theme !== undefined) await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
    await page.goto(`${session.running.httpUrl}${path}`);
    return page;
  }

  it.each(publishedChapters.map((chapter) => chapter.slug))('/%s/ lists every lab and exercise, in page order, each link leading to it', async (slug) => {
    const page = await open(`/${slug}/`);
    const expected = await labsAndExercises(page);
    const summary = page.getByRole('navigation', { name: NAME });
    if (expected.length === 0) {
      expect(await summary.count()).toBe(0);
      return;
    }
    const links = await summary.getByRole('link').evaluateAll((anchors) =>
      anchors.map((anchor) => ({
        href: anchor.getAttribute('href'),
        kind: anchor.querySelector('.sb-page-summary-kind')?.textContent.trim(),
        label: anchor.querySelector('.sb-page-summary-label')?.textContent.trim(),
      })),
    );
    expect(links).toEqual(expected.map(({ id, label, kind }) => ({ href: `#${id}`, kind, label })));
    expect(expected.every(({ id }) => /^(lab|exercise)-[a-z0-9-]+$/.test(id)), JSON.stringify(expected)).toBe(true);
    // At the top: before the first heading of the chapter and before any cell.
    const order = await page.evaluate(() => {
      const nav = document.querySelector('nav.sb-page-summary');
      const first = document.querySelector('main .sl-markdown-content h2, main .sb-cell');
      return nav !== null && first !== null && (nav.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
    });
    expect(order).toBe(true);
  });

  it('takes a keyboard reader to an exercise: Enter on its link, then Tab lands in the exercise', async () => {
    const page = await open('/chat/');
    const summary = page.getByRole('navigation', { name: NAME });
    const link = summary.getByRole('link', { name: /Catch up from a last id/ });
    await link.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe('#exercise-catch-up');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('section')?.id)).toBe('exercise-catch-up');
    const inView = await page.locator('#exercise-catch-up').evaluate((section) => {
      const box = section.getBoundingClientRect();
      return box.top >= 0 && box.top < window.innerHeight;
    });
    expect(inView).toBe(true);
  });

  it('takes a keyboard reader to a lab, whose anchor stays the same from build to build (made from its title)', async () => {
    const page = await open('/messages/');
    const link = page.getByRole('navigation', { name: NAME }).getByRole('link', { name: /the ticker/ });
    expect(await link.getAttribute('href')).toBe('#lab-a-message-protocol-live-the-ticker');
    await link.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('ticker-lab') !== null)).toBe(true);
  });

  it('has no axe violations and readable colours, in light and dark themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await open('/closing/', theme);
      const summary = page.getByRole('navigation', { name: NAME });
      expect(await summary.isVisible()).toBe(true);
      expect(await axeProblems(page), theme).toEqual([]);
      // The links are the accent colour on the summary's background, not the page's default link style.
      const colours = await summary.evaluate((nav) => {
        const link = nav.querySelector('a');
        return { link: link === null ? '' : getComputedStyle(link).color, background: getComputedStyle(nav).backgroundColor };
      });
      expect(colours.link, theme).not.toBe(colours.background);
    }
  });
});
