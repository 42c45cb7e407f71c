import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CLOSE_SCENARIOS, type ExpectedClose } from '../../src/labs/close/scenarios.ts';
import { axeViolations } from '../helpers/axe.ts';
import { newPage, useSiteInBrowser } from '../helpers/browser.ts';
import { startServer } from '../helpers/demo-server.ts';

const SITE = resolve('dist');

async function openLab(page: Page, httpUrl: string): Promise<Locator> {
  await page.goto(`${httpUrl}/closing/`);
  const lab = page.locator('close-lab');
  await lab.scrollIntoViewIfNeeded();
  await expect.poll(() => lab.getByRole('status').first().textContent(), { timeout: 15_000 }).toContain('Ready');
  return lab;
}

/** Clicks the row's Run button and waits until the run is done or refused. */
async function run(row: Locator): Promise<void> {
  const before = await row.getAttribute('data-run');
  await row.getByRole('button', { name: /^Run: / }).click();
  await expect.poll(() => row.getAttribute('data-run')).not.toBe(before);
  await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toMatch(/^(done|refused)$/);
}

function field(row: Locator, name: string): Promise<string | null> {
  return row.locator(`[data-field="${name}"]`).textContent();
}

function expectedReceived(expected: ExpectedClose): RegExp {
  if (expected.serverReceived === null) return /^no close frame$/;
  if (expected.serverReceived === 1005) return /^a close frame with no status code \(1005\)$/;
  return new RegExp(`^close frame ${String(expected.serverReceived)}\\b`);
}

const INITIATOR: Record<ExpectedClose['closedBy'], RegExp> = {
  server: /^the server/,
  client: /^the browser/,
  network: /^nobody/,
};

const session = useSiteInBrowser();

describe('CloseLab on chapter 7', () => {
  it('produces the documented CloseEvent and server observation for every scenario, and the matching log line', async () => {
    const { page, errors, requests } = await newPage(session.browser);
    const lab = await openLab(page, session.running.httpUrl);
    for (const scenario of CLOSE_SCENARIOS) {
      const expected = scenario.expected;
      if (expected === null) continue;
      const row = lab.locator(`[data-scenario="${scenario.id}"]`);
      await run(row);
      const context = `scenario ${scenario.id}`;
      expect(await row.getAttribute('data-state'), context).toBe('done');
      if (expected.pageCode === null) {
        expect(await field(row, 'page'), context).toMatch(/^no CloseEvent: the page that owned the socket is gone/);
      } else {
        expect(await field(row, 'page'), context).toMatch(new RegExp(`^CloseEvent code ${String(expected.pageCode)}, reason ".*", wasClean ${String(expected.wasClean)}$`));
        expect(await field(row, 'error-event'), context).toBe(expected.errorEvent ? 'yes, before the close event' : 'no');
        expect(await field(row, 'elapsed'), context).toMatch(/^\d+(\.\d+)? m?s$/);
      }
      expect(await field(row, 'server-received'), context).toMatch(expectedReceived(expected));
      expect(await field(row, 'initiator'), context).toMatch(INITIATOR[expected.closedBy]);
      expect(await field(row, 'meaning'), context).toMatch(/^\d{4} .+ Reconnect\? /);
      // The lab shows the very line the server logged for this connection.
      const logLine = (await field(row, 'log')) ?? '';
      expect(session.running.log.some((line) => line.includes(' close ') && line.includes(`  ${logLine}  `)), `${context}: ${logLine}`).toBe(true);
    }
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith(session.running.httpUrl) && !url.startsWith(session.running.wsUrl))).toEqual([]);
    await page.close();
  });

  it("shows exactly what Chromium sends back when the server breaks the protocol: 1002 with its reason, and 1006 to the page", async () => {
    const { page } = await newPage(session.browser);
    const lab = await openLab(page, session.running.httpUrl);
    for (const [id, reason] of [
      ['invalid-utf8', 'Invalid UTF-8 in text frame'],
      ['masked-frame', 'Masked frame from server'],
      ['reserved-opcode', 'Unknown opcode'],
    ] as const) {
      const row = lab.locator(`[data-scenario="${id}"]`);
      await run(row);
      expect(await field(row, 'server-received')).toBe(`close frame 1002 "${reason}" (Protocol Error)`);
      expect(await field(row, 'page')).toBe('CloseEvent code 1006, reason "", wasClean false');
    }
    await page.close();
  });

  it("refuses a code the server may not send with the server's own message, and the server stays up", async () => {
    const { page } = await newPage(session.browser);
    const lab = await openLab(page, session.running.httpUrl);
    const row = lab.locator('[data-scenario="server-custom"]');
    for (const code of ['1005', '1006', '1015', '5000']) {
      await row.getByLabel('Code', { exact: true }).fill(code);
      await run(row);
      expect(await row.locator('.sb-close-refusal').textContent()).toBe(
        `The server refused: invalid close request: close code ${code} cannot be sent: use 1000–1003, 1007–1014 or 3000–4999 (1004, 1005, 1006 and 1015 never go on the wire)`,
      );
    }
    await row.getByLabel('Code', { exact: true }).fill('3000');
    await row.getByLabel('Reason', { exact: true }).fill('registered');
    await run(row);
    expect(await field(row, 'page')).toBe('CloseEvent code 3000, reason "registered", wasClean true');
    await page.close();
  });

  it('checks your own close() before calling it, and then closes with your code, or with none', async () => {
    const { page, errors } = await newPage(session.browser);
    const lab = await openLab(page, session.running.httpUrl);
    const row = lab.locator('[data-scenario="client-close"]');
    const opened = session.running.log.filter((line) => line.includes(' open ')).length;
    await row.getByLabel('Code', { exact: true }).fill('1001');
    await run(row);
    expect(await row.locator('.sb-close-refusal').textContent()).toBe(
      'Not sent: close code 1001 is not allowed from a page: WebSocket.close() accepts only 1000 or 3000–4999 (it throws InvalidAccessError otherwise).',
    );
    await row.getByLabel('Code', { exact: true }).fill('4000');
    await row.getByLabel('Reason', { exact: true }).fill('x'.repeat(124));
    await run(row);
    expect(await row.locator('.sb-close-refusal').textContent()).toMatch(/^Not sent: close reason is 124 bytes of UTF-8/);
    // Neither attempt opened a connection.
    expect(session.running.log.filter((line) => line.includes(' open ')).length).toBe(opened);

    await row.getByLabel('Reason', { exact: true }).fill('done here');
    // Keyboard only: focus the button and press Enter.
    await row.getByRole('button', { name: /^Run: / }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => row.getAttribute('data-state')).toBe('done');
    expect(await field(row, 'page')).toBe('CloseEvent code 4000, reason "done here", wasClean true');
    expect(await field(row, 'server-received')).toBe('close frame 4000 "done here" (Private use)');

    await row.getByLabel('Code', { exact: true }).fill('');
    await row.getByLabel('Reason', { exact: true }).fill('');
    await run(row);
    expect(await field(row, 'page')).toBe('CloseEvent code 1005, reason "", wasClean true');
    expect(await field(row, 'server-received')).toBe('a close frame with no status code (1005)');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('has no axe violations with results showing, in light and dark themes', async () => {
    for (const theme of ['light', 'dark']) {
      const { page } = await newPage(session.browser);
      await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
      const lab = await openLab(page, session.running.httpUrl);
      for (const id of ['close-4401', 'drop', 'server-custom', 'navigate-away']) await run(lab.locator(`[data-scenario="${id}"]`));
      const reconnect = page.locator('reconnect-lab');
      await reconnect.getByLabel('The server closes every connection with').selectOption('4401');
      await reconnect.getByRole('button', { name: 'Connect' }).click();
      await expect.poll(() => reconnect.getByRole('status').textContent(), { timeout: 15_000 }).toContain('Stopped');
      expect(await axeViolations(page), theme).toEqual([]);
      await page.close();
    }
  });

  it('loads at most 20 KB of gzipped JavaScript with the page, and the lab code only when the lab is in view', async () => {
    const { page, requests } = await newPage(session.browser);
    // Until the load event: what the page costs before anyone scrolls or clicks.
    await page.goto(`${session.running.httpUrl}/closing/`, { waitUntil: 'load' });
    const scripts = requests.filter((url) => url.startsWith(session.running.httpUrl) && url.endsWith('.js'));
    let gzipBytes = 0;
    for (const url of scripts) {
      gzipBytes += gzipSync(await readFile(resolve(SITE, `.${new URL(url).pathname}`))).byteLength;
    }
    expect(gzipBytes).toBeLessThanOrEqual(20 * 1024);
    expect(scripts.filter((url) => /close-store|reconnect-store|partysocket|\/ws\./.test(url))).toEqual([]);
    expect(requests.filter((url) => url.startsWith('ws'))).toEqual([]);
    await page.locator('close-lab').scrollIntoViewIfNeeded();
    await expect.poll(() => requests.some((url) => url.includes('close-store'))).toBe(true);
    await page.close();
  });
});

describe('ReconnectLab on chapter 7', () => {
  async function openReconnectLab(page: Page): Promise<Locator> {
    await page.goto(`${session.running.httpUrl}/closing/`);
    const lab = page.locator('reconnect-lab');
    await lab.scrollIntoViewIfNeeded();
    return lab;
  }

  it('does not reconnect after 4401 or 1008', async () => {
    const { page } = await newPage(session.browser);
    const lab = await openReconnectLab(page);
    for (const choice of ['4401', '1008']) {
      await lab.getByLabel('The server closes every connection with').selectOption(choice);
      await lab.getByRole('button', { name: 'Connect' }).click();
      await expect.poll(() => lab.getByRole('status').textContent(), { timeout: 15_000 }).toContain('Stopped after 1 connection');
      const log = await lab.getByRole('list', { name: 'Connection log' }).locator('li').allTextContents();
      expect(log.at(-1)).toMatch(new RegExp(`Closed with ${choice} ".+" \\(clean\\): the policy says do not reconnect\\. Stopped\\.$`));
    }
    await page.close();
  });

  it('reconnects with backoff after 1012 and after a dropped connection (1006), until stopped', async () => {
    const { page } = await newPage(session.browser);
    const lab = await openReconnectLab(page);
    for (const [choice, closed] of [
      ['1012', 'Closed with 1012 "restarting" (clean)'],
      ['1006', 'Closed with 1006 (not clean)'],
    ] as const) {
      await lab.getByLabel('The server closes every connection with').selectOption(choice);
      await lab.getByRole('button', { name: 'Connect' }).click();
      const items = lab.getByRole('list', { name: 'Connection log' }).locator('li');
      await expect.poll(() => items.allTextContents(), { timeout: 20_000 }).toContainEqual(expect.stringMatching(/Connection 2 open, \d+\.\d\d s after the close\.$/));
      expect((await items.allTextContents())[1]).toMatch(new RegExp(`${closed.replace(/[()]/g, '\\$&')}: the policy says reconnect, with backoff\\.$`));
      await lab.getByRole('button', { name: 'Stop' }).click();
      await expect.poll(async () => (await lab.getByRole('status').textContent())?.trim()).toMatch(/^Stopped after \d+ connections/);
    }
    await page.close();
  });
});

describe('EchoCell and the reconnect policy', () => {
  it('after a 1009 from a server with a smaller limit, names that limit, does not reconnect by itself and offers Reconnect', async () => {
    const small = await startServer({ staticDir: SITE, maxMessageBytes: 1024 });
    const { page } = await newPage(session.browser);
    await page.goto(`${small.httpUrl}/why-websockets/`);
    const cell = page.locator('echo-cell').first();
    await cell.scrollIntoViewIfNeeded();
    await expect.poll(() => cell.getByRole('status').textContent(), { timeout: 15_000 }).toContain('Open');
    await cell.getByLabel('Message').fill('x'.repeat(1025));
    await cell.getByLabel('Message').press('Enter');
    await expect.poll(async () => (await cell.getByRole('status').textContent())?.trim()).toMatch(
      /^The server closed the connection with 1009 Message Too Big(: ".*")?\. The last message, 1,025 bytes, was over this server's message size limit \(lower than the default, so it was started with --max-message-bytes\)\. Not reconnecting: sending it again would close again\. Press Reconnect to connect again\.$/,
    );
    await expect.poll(() => cell.getByRole('button', { name: 'Reconnect' }).isVisible()).toBe(true);
    await page.close();
    await small.close();
  });
});
