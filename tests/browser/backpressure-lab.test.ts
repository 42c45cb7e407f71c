import { resolve } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { launchBrowser, newPage } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

const SITE = resolve('dist');

/** `Lost: 1,038 = 1,283 sent − 245 processed.` as numbers. */
function parseLost(text: string | null): { lost: number; sent: number; processed: number } {
  const match = /^Lost: ([\d,]+) = ([\d,]+) sent − ([\d,]+) processed\./.exec(text ?? '');
  if (match === null) throw new Error(`not a "Lost:" line: ${JSON.stringify(text)}`);
  const [lost, sent, processed] = match.slice(1).map((value) => Number(value.replaceAll(',', ''))) as [number, number, number];
  return { lost, sent, processed };
}

/** `512.0 KiB` → bytes. */
function parseBytes(text: string | null): number {
  const match = /^([\d.]+) (B|KiB|MiB)$/.exec(text ?? '');
  if (match === null) throw new Error(`not a size: ${JSON.stringify(text)}`);
  return Number(match[1]) * { B: 1, KiB: 1024, MiB: 1024 * 1024 }[match[2] as 'B' | 'KiB' | 'MiB'];
}

/**
 * How long a poll waits for the lab to show what happened. The short tests run concurrently with the
 * naive run on a shared machine, where a page can take more than vitest's default second.
 */
const WAIT = { timeout: 10_000 };

async function openLab(page: Page, server: RunningServer): Promise<Locator> {
  await page.goto(`${server.httpUrl}/backpressure/`);
  const lab = page.locator('backpressure-lab');
  await lab.scrollIntoViewIfNeeded();
  return lab;
}

async function moreSettings(lab: Locator): Promise<void> {
  await lab.getByText('More settings').click();
}

describe('BackpressureLab on chapter 9', () => {
  let browser: Browser;
  let running: RunningServer;
  beforeAll(async () => {
    browser = await launchBrowser();
    running = await startServer({ staticDir: SITE });
  });
  afterAll(async () => {
    await browser.close();
    await running.close();
  });

  // The naive run with the default settings waits about 10 s on the server's pong timeout and then for
  // its worker to drain; the short tests (each with its own page and connection) run while it waits.
  // The long runs after them each keep Web Workers busy for their whole length: one at a time.
  it.concurrent('with the default settings, ends in the naive failure within 30 s: who closed, the close code, lost = sent − processed', { timeout: 90_000 }, async ({ expect }) => {
    const { page, errors, requests } = await newPage(browser);
    const lab = await openLab(page, running);
    const status = lab.locator('.bp-status');
    expect(await status.textContent()).toContain('Ready. Nothing connects until you press Start.');
    await expect.poll(() => lab.locator('.bp-summary').textContent(), WAIT).toBe(
      'The server sends 0.98 MiB/s (100 messages/s); the consumer can process 20 messages/s: the server is 5.0× faster than the consumer.',
    );
    await lab.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => status.textContent(), WAIT).toContain('Running: naive mode, consumed by a blocking Web Worker.');
    const ending = lab.getByRole('region', { name: 'How this run ended' });
    // The server's verdict shows as soon as the stats socket reports it, within 30 s of Start.
    await expect.poll(() => ending.locator('[data-field="headline"]').textContent(), { timeout: 30_000 }).toMatch(/^The server gave up after/);
    // The page's own close event follows once its busy worker gets to it.
    await expect.poll(() => status.textContent(), { timeout: 45_000 }).toMatch(/Ended after [\d.]+ s: close code 1006, [\d,]+ messages lost\./);
    expect(await ending.locator('[data-field="headline"]').textContent()).toMatch(
      /^The server gave up after [\d.]+ s: no pong for 1\d\.\d s \(\d+ pings unanswered\), so it dropped the TCP connection\./,
    );
    expect(await ending.locator('[data-field="close"]').textContent()).toBe(
      'The page saw close code 1006 (Abnormal Closure), not a clean close (wasClean is false). The server sent no close frame: it dropped the TCP connection, and 1006 is the code a side reports when no close frame arrived.',
    );
    const { lost, sent, processed } = parseLost(await ending.locator('[data-field="lost"]').textContent());
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBe(sent - processed);
    const explanation = await ending.locator('li').allTextContents();
    expect(explanation.some((line) => /^[\d,]+ messages? never left the server/.test(line))).toBe(true);
    expect(explanation.at(-1)).toMatch(/^TCP delivered [\d,]+ messages? that the application never processed\./);
    // The plots were drawn, and the server's buffer was seen to grow before the end.
    expect(await lab.locator('[data-run="main"] .bp-plot canvas').count()).toBe(4);
    expect(parseBytes(await lab.locator('[data-run="main"] [data-value="serverBuffer"]').textContent())).toBeGreaterThan(1024 * 1024);
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith(running.httpUrl) && !url.startsWith(running.wsUrl))).toEqual([]);
    await page.close();
  });

  it.concurrent('loads nothing heavy until the lab nears the viewport', async ({ expect }) => {
    const { page, requests } = await newPage(browser);
    await page.goto(`${running.httpUrl}/backpressure/`);
    await page.waitForLoadState('networkidle');
    expect(requests.filter((url) => url.includes('/_astro/backpressure-lab.'))).toEqual([]);
    await page.locator('backpressure-lab').scrollIntoViewIfNeeded();
    await expect.poll(() => requests.filter((url) => url.includes('/_astro/backpressure-lab.')).length, WAIT).toBe(1);
    await page.close();
  });

  it.concurrent('disables the WebSocketStream consumer, with the reason, in a browser without it', async ({ expect }) => {
    const { page } = await newPage(browser);
    await page.addInitScript(() => {
      delete (globalThis as { WebSocketStream?: unknown }).WebSocketStream;
    });
    const lab = await openLab(page, running);
    expect(await lab.getByRole('radio', { name: /WebSocketStream/ }).isDisabled()).toBe(true);
    expect(await lab.locator('.bp-stream-support').textContent()).toBe(
      'Not available: this browser has no WebSocketStream (only Chromium-based browsers have it so far).',
    );
    await page.close();
  });

  it.concurrent('lets a reader watch bufferedAmount on their own sends to a server that reads slowly (the chapter\'s console snippet)', async ({ expect }) => {
    const { page } = await newPage(browser);
    await page.goto(`${running.httpUrl}/backpressure/`);
    const samples = await page.evaluate(async () => {
      const url = `${location.origin.replace(/^http/, 'ws')}/ws/backpressure?messagesPerSecond=1&pingIntervalMs=0&uploadBytesPerSecond=4194304`;
      const socket = new WebSocket(url);
      await new Promise((resolve) => socket.addEventListener('open', resolve));
      const upload = JSON.stringify({ type: 'upload', data: 'x'.repeat(60_000) });
      for (let index = 0; index < 300; index++) socket.send(upload);
      const seen = [socket.bufferedAmount];
      while (socket.bufferedAmount > 0 && seen.length < 300) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        seen.push(socket.bufferedAmount);
      }
      socket.close();
      return seen;
    });
    // send() returned at once 300 times; bufferedAmount held most of the 17 MiB, then drained as the server read.
    expect(samples[0]).toBeGreaterThan(4 * 1024 * 1024);
    expect(samples.at(-1)).toBe(0);
    await page.close();
  });

  it.concurrent('stops a naive run at once when the reader presses Stop, counting what was still queued as lost', async ({ expect }) => {
    const { page, errors } = await newPage(browser);
    const lab = await openLab(page, running);
    await lab.getByRole('button', { name: 'Start' }).click();
    const received = lab.locator('[data-run="main"] [data-value="processed"]');
    await expect.poll(async () => Number((await received.textContent())?.replaceAll(',', '')), { timeout: 15_000 }).toBeGreaterThanOrEqual(20);
    await lab.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => lab.locator('.bp-status').textContent(), { timeout: 15_000 }).toMatch(/Ended after [\d.]+ s: close code 1000/);
    const ending = lab.getByRole('region', { name: 'How this run ended' });
    expect(await ending.locator('[data-field="headline"]').textContent()).toMatch(/^You stopped the run after [\d.]+ s; the page closed the connection\.$/);
    expect(await ending.locator('[data-field="close"]').textContent()).toMatch(/^The page closed with 1000 \(Normal Closure\) "stopped by the reader"\./);
    await expect.poll(async () => parseLost(await ending.locator('[data-field="lost"]').textContent()).lost, WAIT).toBeGreaterThan(0);
    expect(await lab.getByRole('button', { name: 'Stop' }).getAttribute('aria-disabled')).toBe('true');
    expect(errors).toEqual([]);
    await page.close();
  });

  it.concurrent('refuses Start while a run is going, and a new run never shows the previous run\'s ending (issue 18, item 3)', async ({ expect }) => {
    const { page, errors } = await newPage(browser);
    const lab = await openLab(page, running);
    const status = lab.locator('.bp-status');
    const start = lab.getByRole('button', { name: 'Start' });
    await start.click();
    await expect.poll(() => status.textContent(), WAIT).toContain('Running: naive mode');
    expect(await start.getAttribute('aria-disabled')).toBe('true');
    // Start (credit) during the naive run: nothing new starts, and the lab says why.
    await lab.getByRole('radio', { name: /^credit/ }).check();
    // force: Playwright would wait for an aria-disabled button to be enabled; a reader can still press it.
    await start.click({ force: true });
    await expect.poll(() => lab.getByRole('alert').textContent(), WAIT).toBe('A run is in progress: press Stop, then Start again.');
    expect(await status.textContent()).toContain('Running: naive mode');
    await lab.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/Ended after [\d.]+ m?s: close code 1000/);
    const ending = lab.getByRole('region', { name: 'How this run ended' });
    await expect.poll(() => ending.locator('[data-field="headline"]').textContent(), WAIT).toMatch(/^You stopped the run after/);
    expect(await start.getAttribute('aria-disabled')).toBe('false');
    expect(await lab.getByRole('alert').isVisible()).toBe(false);
    // The credit run starts clean: on no frame of its first 1.5 s does the naive ending come back.
    await start.click();
    await expect.poll(() => status.textContent(), WAIT).toContain('Running: credit mode');
    const endingShownOnSomeFrame = await page.evaluate(async () => {
      const section = document.querySelector<HTMLElement>('[data-run="main"] .bp-ending');
      let shown = false;
      const until = performance.now() + 1_500;
      while (performance.now() < until) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        if (section?.hidden === false) shown = true;
      }
      return shown;
    });
    expect(endingShownOnSomeFrame).toBe(false);
    expect(await start.getAttribute('aria-disabled')).toBe('true');
    await lab.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toMatch(/Ended after [\d.]+ m?s: close code 1000/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.concurrent('refuses settings out of range with a message and starts nothing', async ({ expect }) => {
    const { page } = await newPage(browser);
    const lab = await openLab(page, running);
    await lab.getByLabel('Send rate').fill('5000');
    await lab.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => lab.getByRole('alert').textContent(), WAIT).toBe('The send rate must be a whole number from 1 to 1000 messages/s.');
    expect(await lab.locator('.bp-status').textContent()).toContain('Ready.');
    await lab.getByLabel('Send rate').fill('1000');
    await lab.getByLabel('Message size').fill('65536');
    await lab.getByLabel('Send rate').press('Enter');
    await expect.poll(() => lab.getByRole('alert').textContent(), WAIT).toBe('Rate × size is 62.5 MiB/s; the server allows at most 8.0 MiB/s per connection.');
    await page.close();
  });

  it('runs credit and conflate side by side with the same settings: nothing lost, drops counted, the server buffer flat', async () => {
    const { page, errors } = await newPage(browser);
    await page.addInitScript(() => localStorage.setItem('starlight-theme', 'dark'));
    const lab = await openLab(page, running);
    await moreSettings(lab);
    await lab.getByLabel('Comparison length').fill('5');
    await lab.getByRole('button', { name: 'Compare credit and conflate' }).click();
    const status = lab.locator('.bp-compare-status');
    await expect.poll(() => status.textContent(), WAIT).toContain('Running credit and conflate side by side for 5 s with 100 messages/s of 10.0 KiB');
    await expect.poll(() => status.textContent(), { timeout: 40_000 }).toMatch(/^Done\. credit lost 0; conflate lost 0 and dropped [\d,]+ superseded values on purpose\.$/);
    const credit = lab.getByRole('region', { name: 'How the credit run ended' });
    const creditLost = parseLost(await credit.locator('[data-field="lost"]').textContent());
    expect(creditLost).toMatchObject({ lost: 0 });
    expect(creditLost.sent).toBeGreaterThan(20);
    expect(await credit.locator('[data-field="headline"]').textContent()).toMatch(/^The run finished after [\d.]+ s: the page asked the server to stop, processed every message already sent, and closed with 1000\.$/);
    // Memory flat: the server never held more than the credit window (16 × 10 KiB).
    expect(parseBytes(await lab.locator('[data-run="credit"] [data-value="peakServerBuffer"]').textContent())).toBeLessThanOrEqual(16 * 10_244);
    const conflate = lab.getByRole('region', { name: 'How the conflate run ended' });
    const conflateLost = await conflate.locator('[data-field="lost"]').textContent();
    expect(parseLost(conflateLost).lost).toBe(0);
    expect(conflateLost).toMatch(/Dropped on purpose by the server: [1-9][\d,]*\.$/);
    expect(parseBytes(await lab.locator('[data-run="conflate"] [data-value="peakServerBuffer"]').textContent())).toBeLessThanOrEqual(16 * 10_244);
    // The results, charts and endings pass axe in the dark theme too.
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('queued in the page: the backlog grows in the page until it gives up (4008), while the server sees nothing wrong', async () => {
    const { page, errors } = await newPage(browser);
    const lab = await openLab(page, running);
    await lab.getByRole('radio', { name: /queued in the page/ }).check();
    await moreSettings(lab);
    await lab.getByLabel('Page backlog budget').fill('2');
    await lab.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => lab.locator('.bp-status').textContent(), { timeout: 30_000 }).toMatch(/Ended after [\d.]+ s: close code 4008/);
    const ending = lab.getByRole('region', { name: 'How this run ended' });
    expect(await ending.locator('[data-field="headline"]').textContent()).toMatch(
      /^The page gave up after [\d.]+ s: its backlog passed its 2\.0 MiB budget, with [\d,]+ messages received and waiting\. The server saw nothing wrong\./,
    );
    expect(await ending.locator('[data-field="close"]').textContent()).toMatch(/^The page closed with 4008 \(Private use\) "page backlog over 2\.0 MiB"\./);
    const { lost } = parseLost(await ending.locator('[data-field="lost"]').textContent());
    expect(lost).toBeGreaterThan(0);
    expect((await ending.locator('li').allTextContents()).some((line) => /^[\d,]+ messages had reached the page but were never processed\.$/.test(line))).toBe(true);
    expect(parseBytes(await lab.locator('[data-run="main"] [data-value="serverBuffer"]').textContent())).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('uses WebSocketStream where this browser has it, and says so where it does not', async () => {
    const { page, errors } = await newPage(browser);
    const lab = await openLab(page, running);
    const available = await page.evaluate(() => 'WebSocketStream' in globalThis);
    const stream = lab.getByRole('radio', { name: /WebSocketStream/ });
    if (!available) {
      expect(await stream.isDisabled()).toBe(true);
      expect(await lab.locator('.bp-stream-support').textContent()).toContain('Not available: this browser has no WebSocketStream');
      await page.close();
      return;
    }
    expect(await stream.isDisabled()).toBe(false);
    expect(await lab.locator('.bp-stream-support').textContent()).toBe('This browser has WebSocketStream.');
    await stream.check();
    await lab.getByLabel('Send rate').fill('200');
    await lab.getByLabel('Message size').fill('16384');
    await moreSettings(lab);
    await lab.getByLabel('Pong timeout').fill('3000');
    await lab.getByRole('button', { name: 'Start' }).click();
    const status = lab.locator('.bp-status');
    await expect.poll(() => status.textContent(), WAIT).toContain('consumed by WebSocketStream');
    // The stream reads only when asked, so the pressure reaches the server, yet the page stays responsive.
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/Ended after [\d.]+ s: close code 1006/);
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    expect(await lab.getByRole('region', { name: 'How this run ended' }).locator('[data-field="headline"]').textContent()).toMatch(/^The server gave up after/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('against a server with a small send-buffer cap, explains which limit fired: the cap (1008), not the heartbeat', { timeout: 90_000 }, async () => {
    // Its own server (the cap is a server option), in the same browser.
    const capped = await startServer({ staticDir: SITE, maxBufferedBytes: 1024 * 1024 });
    try {
      const { page, errors } = await newPage(browser);
      const lab = await openLab(page, capped);
      await lab.getByLabel('Send rate').fill('200');
      await lab.getByLabel('Message size').fill('16384');
      await lab.getByLabel('Work per message').fill('20');
      await moreSettings(lab);
      await lab.getByLabel('Server ping interval').fill('0');
      await lab.getByRole('button', { name: 'Start' }).click();
      await expect.poll(() => lab.locator('.bp-status').textContent(), { timeout: 60_000 }).toMatch(/Ended after/);
      const ending = lab.getByRole('region', { name: 'How this run ended' });
      expect(await ending.locator('[data-field="headline"]').textContent()).toMatch(
        /^The server cut this client off after [\d.]+ s with close code 1008: send buffer full: client is not reading: [\d.]+ (KiB|MiB) queued, limit 1\.0 MiB\.$/,
      );
      expect(await ending.locator('[data-field="close"]').textContent()).toMatch(/^The page saw close code 10(06|08) /);
      // What this test is about is which limit fired; the naive run above proves lost > 0. Here the
      // page may catch up with what TCP delivered before the end, so only the arithmetic is fixed.
      const { lost, sent, processed } = parseLost(await ending.locator('[data-field="lost"]').textContent());
      expect(lost).toBe(sent - processed);
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      await capped.close();
    }
  });
});
