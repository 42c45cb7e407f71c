import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { newPage, SITE_DIR, useSiteInBrowser } from '../helpers/browser.ts';
import { startServer } from '../helpers/demo-server.ts';
import { offOrigin, openLab } from '../helpers/lab-page.ts';

/** The facts list as `{ term: value }`. */
async function facts(lab: Locator): Promise<Record<string, string>> {
  const terms = await lab.locator('[data-part="negotiated"] dt').allTextContents();
  const values = await lab.locator('[data-part="negotiated"] dd').allTextContents();
  return Object.fromEntries(terms.map((term, index) => [term, values[index] ?? '']));
}

describe('HandshakeLab on chapter 2', () => {
  const suite = useSiteInBrowser();

  const open = (theme?: 'light' | 'dark') => openLab(suite, '/handshake/', 'handshake-lab', (lab) => expect.poll(() => lab.getByRole('status').first().textContent()).toContain('Open: the server answered 101 Switching Protocols.'), theme);

  it("shows this browser's own request and the 101 response, and recomputes a matching Accept value", async () => {
    const { page, lab, errors, requests } = await open();
    const request = lab.locator('[data-part="request"] li');
    await expect.poll(() => request.first().textContent()).toBe('GET /ws/inspect HTTP/1.1');
    const requestLines = await request.allTextContents();
    const keyLine = requestLines.find((line) => line.startsWith('Sec-WebSocket-Key:')) ?? '';
    const key = /^Sec-WebSocket-Key: (\S+?==)\(note: /.exec(keyLine)?.[1] ?? '';
    expect(key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(requestLines.some((line) => line.startsWith(`Origin: ${suite.running.httpUrl}`))).toBe(true);
    expect(requestLines.some((line) => line.startsWith('Sec-WebSocket-Protocol: json.v1, chat.v9'))).toBe(true);
    for (const name of ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'origin', 'sec-websocket-protocol']) {
      expect(await lab.locator(`[data-part="request"] li[data-highlight="${name}"]`).count(), name).toBe(1);
    }
    const response = await lab.locator('[data-part="response"] li').allTextContents();
    expect(response[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(await lab.locator('[data-part="response"] li[data-highlight="sec-websocket-accept"]').count()).toBe(1);
    expect(response.some((line) => line.startsWith('Sec-WebSocket-Protocol: json.v1'))).toBe(true);

    const steps = await lab.locator('[data-part="accept"] li').allTextContents();
    expect(steps[0]).toContain(key);
    expect(steps[1]).toContain(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`);
    expect(steps[2]).toMatch(/([0-9a-f]{2} ){19}[0-9a-f]{2}$/);
    expect(steps[4]).toMatch(/✓ matches$/);
    expect(await lab.locator('[data-part="accept"] li[data-match="yes"]').count()).toBe(1);

    expect(await facts(lab)).toMatchObject({ 'Subprotocols offered': 'json.v1, chat.v9', 'Server chose': 'json.v1', 'socket.protocol in this page': '"json.v1"' });
    expect(errors).toEqual([]);
    expect(offOrigin(suite, requests)).toEqual([]);
    await page.close();
  });

  it('explains the failure when only an unknown subprotocol is offered, shows the exchange that happened, and shows both sides of it', async () => {
    const { page, lab } = await open();
    await lab.getByLabel('json.v1').uncheck();
    await lab.getByRole('button', { name: 'Connect again' }).click();
    const status = lab.getByRole('status').first().locator('.sb-status-text');
    await expect.poll(() => status.textContent()).toBe(
      'Handshake failed: the server answered 101 Switching Protocols but chose none of the subprotocols offered, so your browser failed the connection (close 1006).',
    );
    await expect.poll(() => lab.getByRole('alert').textContent()).toBe(
      'The server speaks none of chat.v9, so it answered 101 without choosing a subprotocol, and your browser failed the connection (it offered some, so it insists on one). Offer one it speaks and press "Connect again".',
    );
    // The panes show that exchange, made by the server to itself, and say so.
    await expect.poll(() => lab.locator('[data-part="request-title"]').textContent()).toBe('The same request, made by the server to itself');
    const requestLines = await lab.locator('[data-part="request"] li').allTextContents();
    expect(requestLines[0]).toBe('GET /ws/inspect HTTP/1.1');
    expect(requestLines.some((line) => line.startsWith('Sec-WebSocket-Protocol: chat.v9'))).toBe(true);
    expect(requestLines.some((line) => line.startsWith(`Origin: ${suite.running.httpUrl}`))).toBe(true);
    const responseLines = await lab.locator('[data-part="response"] li').allTextContents();
    expect(responseLines[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(responseLines.some((line) => line.startsWith('Sec-WebSocket-Protocol'))).toBe(false);
    expect(await lab.locator('[data-part="exchange-note"]').isVisible()).toBe(true);
    expect(await status.textContent()).not.toContain("Can't reach");
    await lab.getByRole('button', { name: 'Only an unknown subprotocol' }).click();
    const failure = lab.locator('[data-part="failure"]');
    await expect.poll(() => failure.locator('.sb-hs-close').textContent()).toContain('close event: code 1006, wasClean false.');
    await expect.poll(() => failure.locator('pre').textContent()).toContain('HTTP/1.1 101 Switching Protocols');
    const transcript = (await failure.locator('pre').textContent()) ?? '';
    expect(transcript).toContain('Sec-WebSocket-Protocol: chat.v9\n');
    expect(transcript.split('HTTP/1.1 101')[1]).not.toContain('Sec-WebSocket-Protocol');
    await page.close();
  });

  it('says the server cannot be reached when it is down, not that a handshake failed', async () => {
    const own = await startServer({ staticDir: SITE_DIR });
    const { page } = await newPage(suite.browser);
    try {
      await page.goto(`${own.httpUrl}/handshake/`);
      const lab = page.locator('handshake-lab');
      await lab.scrollIntoViewIfNeeded();
      const status = lab.getByRole('status').first();
      await expect.poll(() => status.textContent()).toContain('Open: the server answered 101 Switching Protocols.');
      await own.close();
      await lab.getByRole('button', { name: 'Connect again' }).click();
      await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain(`Can't reach the demo server at ${own.wsUrl}/ws/inspect`);
      expect(await status.textContent()).not.toContain('Handshake failed');
      expect(await lab.locator('[data-part="request"] li').allTextContents()).toEqual(['No answer: the server is not reachable.']);
    } finally {
      await page.close();
    }
  });

  it('has no axe violations with the handshake and a failure shown, in light and dark themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const { page, lab } = await open(theme);
      await expect.poll(() => lab.locator('[data-part="accept"] li[data-match="yes"]').count()).toBe(1);
      await lab.getByRole('button', { name: 'Wrong path' }).click();
      await expect.poll(() => lab.locator('[data-part="failure"] pre').count()).toBe(1);
      expect(await axeViolations(page), theme).toEqual([]);
      await page.close();
    }
  });

  it('computes the RFC 6455 example Accept value for a typed key', async () => {
    const { page, lab } = await open();
    const result = lab.locator('.sb-hs-try-result');
    await expect.poll(() => result.textContent()).toBe('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=: the value RFC 6455 §1.3 gives ✓');
    await lab.getByLabel('Try any key').fill('not a key');
    await lab.getByLabel('Try any key').press('Enter');
    await expect.poll(() => result.textContent()).toMatch(/ \(not a valid key: a browser always sends 16 random bytes/);
    await page.close();
  });

  it('shows a wrong path as the page sees it (error, close 1006) and as it was on the wire (404)', async () => {
    const { page, lab } = await open();
    const button = lab.getByRole('button', { name: 'Wrong path' });
    await button.focus();
    await page.keyboard.press('Enter');
    const failure = lab.locator('[data-part="failure"]');
    await expect.poll(() => failure.locator('.sb-hs-close').textContent()).toContain('close event: code 1006, wasClean false.');
    expect(await failure.textContent()).toContain('fired: error, then close.');
    await expect.poll(() => failure.locator('pre').textContent()).toContain('HTTP/1.1 404 Not Found');
    expect(await failure.locator('pre').textContent()).toContain('no WebSocket endpoint at /ws/no-such-endpoint');
    await page.close();
  });

  it('shows a foreign Origin refused with 403', async () => {
    const { page, lab } = await open();
    await lab.getByRole('button', { name: 'Foreign Origin' }).click();
    const transcript = lab.locator('[data-part="failure"] pre');
    await expect.poll(() => transcript.textContent()).toContain('HTTP/1.1 403 Forbidden');
    expect(await transcript.textContent()).toContain('Origin: http://evil.example');
    expect(await lab.locator('[data-part="failure"]').textContent()).toContain('a page cannot choose its Origin');
    await page.close();
  });
});
