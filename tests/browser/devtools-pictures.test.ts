import { describe, expect, it } from 'vitest';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';

/** The pictures `npm run screenshots:devtools` makes, in the order chapter 12 shows them, with how their alt text starts. */
const PICTURES = [
  ['connection-row', 'The Network panel with the Socket filter pressed'],
  ['chat-headers', 'The Headers tab of the lobby connection'],
  ['chat-messages', 'The Messages tab of the lobby connection'],
  ['echo-messages', 'The Messages tab of the echo connection'],
] as const;

describe("chapter 12's DevTools pictures", () => {
  const session = useSiteInBrowser();

  it('shows each one loaded, with its alt text and a caption', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/testing/`);
    const figures = page.locator('main figure:has(img)');
    expect(await figures.count()).toBe(PICTURES.length);
    for (const [index, [file, alt]] of PICTURES.entries()) {
      const figure = figures.nth(index);
      await figure.scrollIntoViewIfNeeded();
      const image = figure.locator('img');
      // Lazy images load once near the viewport: wait for this one to finish.
      await expect.poll(() => image.evaluate((element: HTMLImageElement) => element.complete && element.naturalWidth > 0), { timeout: 10_000 }).toBe(true);
      const shown = await image.evaluate((element: HTMLImageElement) => ({ src: element.currentSrc, width: element.naturalWidth, height: element.naturalHeight, alt: element.alt }));
      expect(shown.src).toContain(file);
      expect(shown.width).toBeGreaterThan(0);
      expect(shown.height).toBeGreaterThan(0);
      expect(shown.alt.startsWith(alt)).toBe(true);
      expect((await figure.locator('figcaption').textContent())?.trim()).not.toBe('');
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
