import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSelfSignedCertificate } from '../../demo-server/http/tls.ts';
import { mixedContentText } from '../../src/shared/server-url.ts';
import { launchBrowser, SITE_DIR } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

/**
 * A static copy of the site served over https, pointed with ?server= at a
 * teacher's ws:// server, cannot connect (mixed content): the labs must say
 * so and what to do, not "start the demo server".
 */
describe('an https page pointed at a ws:// server on another machine, in Chromium', () => {
  let browser: Browser;
  let running: RunningServer;
  beforeAll(async () => {
    browser = await launchBrowser();
    running = await startServer({ staticDir: SITE_DIR, tls: await makeSelfSignedCertificate() });
  });
  afterAll(async () => {
    await browser.close();
    await running.close();
  });

  it("shows the mixed-content message in the echo lab's status and under it, and the socket is never opened", async () => {
    // A reader who accepted the self-signed certificate. The teacher's machine
    // is a real host name: ws://localhost would be allowed from https (loopback
    // is potentially trustworthy), and 192.0.2.0/24 is never reachable, so
    // only the mixed-content rule can be what the page reports.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    const teacher = 'ws://192.0.2.10:8080';
    const site = `https://localhost:${String(running.port)}`;
    await page.goto(`${site}/why-websockets/?server=${encodeURIComponent(teacher)}`);
    const lab = page.locator('echo-cell').first();
    await lab.scrollIntoViewIfNeeded();

    const status = lab.getByRole('status').first();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain(
      `This page was served over https, so the browser refuses to open ${teacher}/ws/echo (mixed content: an https page may only open wss://).`,
    );
    expect(await status.textContent()).toContain(String(mixedContentText(`${site}/why-websockets/`, `${teacher}/ws/echo`)));
    expect(await lab.locator('.sb-server').textContent()).toBe(`Server: ${teacher} (set with ?server=). ${String(mixedContentText(site, teacher))}`);
    expect(await status.textContent()).not.toContain('npm start" in the Socketbook folder');
    expect(sockets).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
