import { describe, expect, it } from 'vitest';
import { newPage, SITE_DIR, useSiteInBrowser } from '../helpers/browser.ts';
import { startServer } from '../helpers/demo-server.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/shared/message-limits.ts';

const SITE = SITE_DIR;

describe('EchoCell on chapter 1', () => {
  const session = useSiteInBrowser();

  it('echoes a message with its size and round-trip time, loading nothing from other origins', async () => {
    const { page, errors, requests } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/why-websockets/`);
    const cell = page.locator('echo-cell').first();
    await cell.scrollIntoViewIfNeeded();
    await expect.poll(() => cell.getByRole('status').textContent()).toContain('Open: connected to');
    const input = cell.getByLabel('Message');
    await input.fill('hello from chromium');
    await input.press('Enter');
    const received = cell.locator('tr[data-direction="received"]');
    await expect.poll(() => received.count()).toBe(1);
    expect(await received.locator('.sb-payload').textContent()).toBe('hello from chromium');
    expect(await received.locator('.sb-size').textContent()).toBe('19 B');
    expect(await received.locator('.sb-rtt').textContent()).toMatch(/^\d+(\.\d+)? ms$/);
    expect(await cell.locator('tr[data-direction="sent"] .sb-payload').textContent()).toBe('hello from chromium');
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith(session.running.httpUrl) && !url.startsWith(session.running.wsUrl))).toEqual([]);
    await page.close();
  });

  it('sends binary as UTF-8 bytes and shows the echo in hex', async () => {
    const { page } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/why-websockets/`);
    const cell = page.locator('echo-cell').first();
    await cell.scrollIntoViewIfNeeded();
    await expect.poll(() => cell.getByRole('status').textContent()).toContain('Open');
    await cell.getByLabel('Message').fill('Hi');
    await cell.getByLabel('Send as binary').check();
    await cell.getByRole('button', { name: 'Send' }).click();
    const received = cell.locator('tr[data-direction="received"]');
    await expect.poll(() => received.count()).toBe(1);
    expect(await received.locator('.sb-kind').textContent()).toBe('binary');
    expect(await received.locator('.sb-payload').textContent()).toBe('48 69');
    await page.close();
  });

  it('shows the close code when the server stops, and reconnects when it is back', async () => {
    const own = await startServer({ staticDir: SITE });
    const port = own.port;
    const { page } = await newPage(session.browser);
    await page.goto(`${own.httpUrl}/why-websockets/`);
    const cell = page.locator('echo-cell').first();
    await cell.scrollIntoViewIfNeeded();
    const status = cell.getByRole('status');
    await expect.poll(() => status.textContent()).toContain('Open');
    await own.close();
    await expect.poll(() => status.textContent()).toContain('Closed with code 1001 "server shutting down" (clean). Reconnecting…');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain("Can't reach the demo server");
    expect(await status.textContent()).toContain('npm start');
    const again = await startServer({ staticDir: SITE }, port);
    try {
      await expect.poll(() => status.textContent(), { timeout: 20_000 }).toContain('Open: connected to');
      await cell.getByLabel('Message').fill('after restart');
      await cell.getByLabel('Message').press('Enter');
      await expect.poll(() => cell.locator('tr[data-direction="received"] .sb-payload').last().textContent()).toBe('after restart');
    } finally {
      await page.close();
      await again.close();
    }
  });

  it('says before sending that a message is over the 64 KiB limit, names the limit after the 1009, and reconnects on Reconnect', async () => {
    const { page, errors } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/why-websockets/`);
    const cell = page.locator('echo-cell').first();
    await cell.scrollIntoViewIfNeeded();
    const status = cell.getByRole('status').locator('.sb-status-text');
    await expect.poll(() => status.textContent()).toContain('Open: connected to');
    const hint = cell.locator('.sb-echo-size');
    expect(await hint.isVisible()).toBe(false);
    const input = cell.getByLabel('Message');
    await input.fill('x'.repeat(DEFAULT_MAX_MESSAGE_BYTES));
    expect(await hint.isVisible()).toBe(false);
    await input.fill('x'.repeat(70_000));
    expect(await hint.textContent()).toBe(
      "70,000 bytes: over the 64 KiB this endpoint accepts (the demo server's --max-message-bytes default). Sending it makes the server close the connection with 1009 Message Too Big.",
    );
    // The limit counts UTF-8 bytes, not characters: 30,000 × "é" is 60,000 bytes, under it.
    await input.fill('é'.repeat(30_000));
    expect(await hint.isVisible()).toBe(false);
    await input.fill('é'.repeat(33_000));
    expect(await hint.textContent()).toMatch(/^66,000 bytes: over the 64 KiB/);
    await input.fill('x'.repeat(70_000));
    await input.press('Enter');
    await expect.poll(() => status.textContent()).toMatch(
      /^The server closed the connection with 1009 Message Too Big(: ".*")?\. The last message, 70,000 bytes, was over the 64 KiB this endpoint accepts\. Not reconnecting: sending it again would close again\. Press Reconnect to connect again\.$/,
    );
    expect(await status.textContent()).not.toContain('Reload');
    const reconnect = cell.getByRole('button', { name: 'Reconnect' });
    await reconnect.click();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain('Open: connected to');
    expect(await reconnect.isVisible()).toBe(false);
    await input.fill('small again');
    await input.press('Enter');
    await expect.poll(() => cell.locator('tr[data-direction="received"] .sb-payload').last().textContent()).toBe('small again');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('tells the reader plainly when the chosen server cannot be reached', async () => {
    const { page } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/why-websockets/?server=ws://127.0.0.1:9`);
    const cell = page.locator('echo-cell').first();
    await cell.scrollIntoViewIfNeeded();
    await expect.poll(() => cell.getByRole('status').textContent(), { timeout: 15_000 }).toContain(
      "Can't reach the demo server at ws://127.0.0.1:9/ws/echo",
    );
    expect(await cell.locator('.sb-server').textContent()).toBe('Server: ws://127.0.0.1:9 (set with ?server=)');
    // The choice is remembered until reset with an empty ?server=.
    await page.goto(`${session.running.httpUrl}/why-websockets/`);
    expect(await page.locator('echo-cell .sb-server').first().textContent()).toBe('Server: ws://127.0.0.1:9 (set with ?server=)');
    await page.goto(`${session.running.httpUrl}/why-websockets/?server=`);
    expect(await page.locator('echo-cell .sb-server').first().textContent()).toContain('(this site)');
    await page.close();
  });
});
