import { describe, expect, it } from 'vitest';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';
import { openLab } from '../helpers/lab-page.ts';

describe('DuplexTimeline on chapter 3', () => {
  const suite = useSiteInBrowser();

  const open = (theme?: 'light' | 'dark') => openLab(suite, '/frames/', 'duplex-timeline', (lab) => expect.poll(() => lab.locator('.sb-status-text').textContent()).toBe('Open: every message is held 250 ms each way.'), theme);

  it("draws prices coming down while the reader's pings go up, and counts them crossing", async () => {
    const { page, lab, errors } = await open();
    const duplex = lab.locator('svg[data-part="duplex"]');
    await expect.poll(() => duplex.locator('line.sb-tl-down.sb-tl-price').count(), { timeout: 15_000 }).toBeGreaterThan(2);
    const ping = lab.getByRole('button', { name: 'Send a ping' });
    for (let index = 0; index < 3; index++) {
      await ping.click();
      await page.waitForTimeout(150);
    }
    // Each ping waits 250 ms on the way in and its pong 250 ms on the way out.
    await expect.poll(() => lab.locator('[data-part="announce"]').textContent(), { timeout: 15_000 }).toMatch(/^pong #4 came back after (\d+) ms\.$/);
    const roundTrip = Number(/after (\d+) ms/.exec((await lab.locator('[data-part="announce"]').textContent()) ?? '')?.[1]);
    expect(roundTrip).toBeGreaterThanOrEqual(490);
    expect(await duplex.locator('line.sb-tl-up.sb-tl-ping').count()).toBeGreaterThanOrEqual(3);
    await expect.poll(() => lab.locator('[data-part="summary"]').textContent(), { timeout: 15_000 }).toMatch(/; [1-9]\d* up\/down pairs? crossed in flight\./);
    await expect.poll(() => lab.locator('[data-part="comparison"]').textContent(), { timeout: 15_000 }).toMatch(
      /^Average time from a price change to this page: \d+ ms over the WebSocket; polling every 1\.0 s over the same link would take [\d.]+ m?s/,
    );
    const polling = lab.locator('svg[data-part="polling"]');
    expect(await polling.locator('line.sb-tl-request').count()).toBeGreaterThan(0);
    expect(await polling.locator('circle.sb-tl-change').count()).toBeGreaterThan(0);
    // Every tick label, "now" on the right edge included, lies inside the drawing.
    const clipped = await duplex.evaluate((svg: SVGSVGElement) => {
      const width = svg.viewBox.baseVal.width;
      return [...svg.querySelectorAll<SVGTextElement>('text.sb-tl-tick')].filter((label) => {
        const box = label.getBBox();
        return box.x < 0 || box.x + box.width > width;
      }).map((label) => label.textContent);
    });
    expect(clipped).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reconnects without simulated latency when the reader picks none', async () => {
    const { page, lab } = await open();
    await lab.getByLabel('Simulated latency, each way').selectOption('0');
    await expect.poll(() => lab.locator('.sb-status-text').textContent()).toBe('Open: no simulated latency.');
    await lab.getByRole('button', { name: 'Send a ping' }).click();
    await expect.poll(() => lab.locator('[data-part="announce"]').textContent()).toMatch(/^pong #\d+ came back after [\d.]+ ms\.$/);
    await page.close();
  });

  it('announces every pong, also when two round trips measure the same', async () => {
    const { page } = await newPage(suite.browser);
    // A page clock that stands still: every round trip measures 0 ms.
    await page.addInitScript(() => (performance.now = () => 1000));
    await page.goto(`${suite.running.httpUrl}/frames/`);
    const lab = page.locator('duplex-timeline');
    await lab.scrollIntoViewIfNeeded();
    const announce = lab.locator('[data-part="announce"]');
    await expect.poll(() => announce.textContent(), { timeout: 15_000 }).toBe('pong #1 came back after 0.00 ms.');
    await lab.getByRole('button', { name: 'Send a ping' }).click();
    await expect.poll(() => announce.textContent(), { timeout: 15_000 }).toBe('pong #2 came back after 0.00 ms.');
    await page.close();
  });

  it('draws nothing after Pause, even in a frame scheduled before it', async () => {
    const { page, lab } = await open();
    await expect.poll(() => lab.locator('svg[data-part="duplex"] line.sb-tl-message').count(), { timeout: 15_000 }).toBeGreaterThan(2);
    const unchanged = await lab.evaluate(async (element) => {
      const svg = element.querySelector('svg[data-part="duplex"]');
      const pause = element.querySelector<HTMLButtonElement>('[data-action="pause"]');
      if (svg === null || pause === null) throw new Error('no timeline or Pause button');
      // Right after a draw, when the lab has asked for its next frame…
      await new Promise<void>((resolve) => {
        new MutationObserver((_, observer) => {
          observer.disconnect();
          resolve();
        }).observe(svg, { childList: true, subtree: true, attributes: true });
      });
      // …and once that frame is due to draw (20 frames a second), pause.
      const until = performance.now() + 60;
      while (performance.now() < until);
      pause.click();
      const frozen = svg.innerHTML;
      for (let frame = 0; frame < 3; frame++) await new Promise((resolve) => requestAnimationFrame(resolve));
      return svg.innerHTML === frozen;
    });
    expect(unchanged).toBe(true);
    await page.close();
  });

  it('freezes the drawing on Pause and moves again on Resume', async () => {
    const { page, lab } = await open();
    const duplex = lab.locator('svg[data-part="duplex"]');
    await expect.poll(() => duplex.locator('line.sb-tl-message').count(), { timeout: 15_000 }).toBeGreaterThan(2);
    const pause = lab.getByRole('button', { name: 'Pause' });
    await pause.focus();
    await page.keyboard.press('Enter');
    const resume = lab.getByRole('button', { name: 'Resume' });
    expect(await resume.getAttribute('aria-pressed')).toBe('true');
    const frozen = await duplex.innerHTML();
    await page.waitForTimeout(700);
    expect(await duplex.innerHTML()).toBe(frozen);
    await resume.click();
    await expect.poll(() => duplex.innerHTML()).not.toBe(frozen);
    await page.close();
  });
});
