import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { publishedChapters } from '../../src/site/chapters.ts';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';

/**
 * Issue 18, items 6 and 7: what a reader reads fits the column on a phone
 * and on a laptop, without sideways scrolling, and code keeps its layout
 * when a cell turns into the editor.
 */

const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
] as const;

async function openAt(suite: ReturnType<typeof useSiteInBrowser>, path: string, viewport: { width: number; height: number }): Promise<Page> {
  const { page } = await newPage(suite.browser);
  await page.setViewportSize(viewport);
  await page.goto(`${suite.running.httpUrl}${path}`);
  return page;
}

describe('layout at 390 px and 1280 px', () => {
  const suite = useSiteInBrowser();
  const pages = ['/reference/', ...publishedChapters.map((chapter) => `/${chapter.slug}/`)];

  for (const viewport of VIEWPORTS) {
    it(`fits every table of the reference and the chapters in its column at ${String(viewport.width)} px`, async () => {
      const overflowing: string[] = [];
      for (const path of pages) {
        const page = await openAt(suite, path, viewport);
        const found = await page.locator('main table').evaluateAll((tables) =>
          tables.flatMap((table) => {
            const container = table.parentElement;
            if (container === null) return [];
            const caption = table.querySelector('caption')?.textContent ?? table.querySelector('th')?.textContent ?? '?';
            const tooWide = table.scrollWidth > table.clientWidth + 1 || table.getBoundingClientRect().width > container.clientWidth + 1;
            return tooWide ? [`${caption.slice(0, 40)}: ${String(table.scrollWidth)} px in ${String(Math.min(table.clientWidth, container.clientWidth))} px`] : [];
          }),
        );
        overflowing.push(...found.map((text) => `${path} ${text}`));
        await page.close();
      }
      expect(overflowing).toEqual([]);
    });

    it(`wraps long lines in the editor as the static code does, and keeps the cell's box at ${String(viewport.width)} px`, async () => {
      const page = await openAt(suite, '/messages/', viewport);
      // The cell with the longest line of the book (160 characters).
      const cell = page.locator('code-cell[data-cell-id="messages/subprotocols"]');
      const code = cell.locator('.sb-code-static');
      await code.scrollIntoViewIfNeeded();
      const before = await code.boundingBox();
      if (before === null) throw new Error('the static code has no box');
      const staticScroll = await code.locator('pre').evaluate((pre) => ({ scroll: pre.scrollWidth, client: pre.clientWidth }));
      expect(staticScroll.scroll).toBeLessThanOrEqual(staticScroll.client);
      await code.click();
      const editor = cell.locator('.sb-code-editor .cm-editor');
      await editor.waitFor();
      // CodeMirror draws only the lines in view and estimates the height of the rest until they
      // are drawn: scroll through the editor so every line is measured, then compare.
      await cell.locator('.sb-code-editor').evaluate(async (host) => {
        const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        const top = host.getBoundingClientRect().top + window.scrollY;
        for (let y = top; y < top + host.getBoundingClientRect().height; y += window.innerHeight / 2) {
          window.scrollTo(0, y);
          await frame();
        }
        window.scrollTo(0, top);
        await frame();
      });
      const after = await cell.locator('.sb-code-editor').boundingBox();
      const scroller = await cell.locator('.cm-scroller').evaluate((element) => ({ scroll: element.scrollWidth, client: element.clientWidth }));
      expect(scroller.scroll, 'the editor scrolls sideways').toBeLessThanOrEqual(scroller.client);
      if (after === null) throw new Error('the editor has no box');
      expect(Math.abs(after.width - before.width), 'width changes').toBeLessThanOrEqual(1);
      expect(Math.abs(after.x - before.x), 'the code moves sideways').toBeLessThanOrEqual(1);
      // Same font, padding and line height: the wrapped code takes the same height.
      expect(Math.abs(after.height - before.height), `height ${String(before.height)} → ${String(after.height)}`).toBeLessThanOrEqual(4);
      await page.close();
    });
  }
});
