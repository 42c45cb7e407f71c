import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modes } from '../../client/modes/index.ts';
import { USAGE } from '../../demo-server/flags.ts';
import { CLOSE_CODE_RANGES, CLOSE_CODES, DEMO_SERVER_CLOSE_CODES } from '../../src/shared/close-codes.ts';
import { endpointDocs } from '../../demo-server/routes/index.ts';
import { METRIC_DOCS } from '../../demo-server/core/metric-docs.ts';
import { launchBrowser, newPage } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../helpers/demo-server.ts';

const SITE = resolve('dist');

describe('the reference page', () => {
  let browser: Browser;
  let running: RunningServer;
  let page: Page;
  beforeAll(async () => {
    browser = await launchBrowser();
    running = await startServer({ staticDir: SITE });
    ({ page } = await newPage(browser));
    await page.goto(`${running.httpUrl}/reference/`);
  });
  afterAll(async () => {
    await browser.close();
    await running.close();
  });

  it('documents every endpoint of the route list, with its query parameters, messages and close codes', async () => {
    for (const doc of endpointDocs) {
      const section = page.locator(`section[data-endpoint="${doc.path}"]`);
      expect((await section.getByRole('heading', { level: 3 }).textContent())?.trim(), doc.path).toBe(doc.path);
      const text = (await section.textContent()) ?? '';
      for (const parameter of doc.query) expect(text, `${doc.path} ?${parameter.name}`).toContain(parameter.description);
      for (const message of doc.messages) expect(text, `${doc.path} ${message.type}`).toContain(message.description);
      for (const limit of doc.limits) expect(text, `${doc.path} limit`).toContain(limit);
      const codes = await section.locator('[data-close-code]').evaluateAll((items) => items.map((item) => item.getAttribute('data-close-code')));
      expect(codes, doc.path).toEqual(doc.closeCodes.map(({ code }) => String(code)));
    }
    expect(await page.locator('section[data-endpoint]').count()).toBe(endpointDocs.length);
  });

  it('opens with an index whose every link resolves to a section on the page: the page sections and one per endpoint', async () => {
    const index = page.getByRole('navigation', { name: 'Index of this page' });
    const top = await index.evaluate((nav) => nav.getBoundingClientRect().top + window.scrollY);
    expect(top).toBeLessThan(await page.locator('h2#close-codes').evaluate((heading) => heading.getBoundingClientRect().top + window.scrollY));
    const links = await index.getByRole('link').evaluateAll((anchors) =>
      anchors.map((anchor) => {
        const id = decodeURIComponent(anchor.getAttribute('href')?.slice(1) ?? '');
        const target = document.getElementById(id);
        return { text: anchor.textContent.trim(), href: anchor.getAttribute('href'), target: target === null ? null : (target.closest('section[data-endpoint]')?.getAttribute('data-endpoint') ?? target.tagName) };
      }),
    );
    expect(links.filter((link) => link.target === null)).toEqual([]);
    const endpoints = [...endpointDocs].map((doc) => doc.path).sort((a, b) => a.localeCompare(b));
    expect(links.map((link) => link.text)).toEqual(['Close codes', 'Endpoints', ...endpoints, 'Running the server', 'Metrics', 'The grader']);
    // An endpoint link leads to that endpoint's own section.
    for (const link of links.filter((candidate) => candidate.text.startsWith('/ws/'))) expect(link.target, link.text).toBe(link.text);
    // Followed from the keyboard, a link brings its section into view.
    const chat = index.getByRole('link', { name: '/ws/chat/:room' });
    await chat.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe(await chat.getAttribute('href'));
    const heading = page.locator('section[data-endpoint="/ws/chat/:room"] h3');
    await expect.poll(() => heading.evaluate((element) => { const box = element.getBoundingClientRect(); return box.top >= 0 && box.top < window.innerHeight; })).toBe(true);
    await page.evaluate(() => window.scrollTo(0, 0));
  });

  it('lists every metric of GET /metrics, from the table the server makes them from, and who may read it', async () => {
    const rows = page.locator('table[data-table="metrics"] tbody tr');
    const listed = await rows.evaluateAll((items) => items.map((item) => [item.getAttribute('data-metric'), item.querySelector('td:last-child')?.textContent]));
    expect(listed).toEqual(Object.values(METRIC_DOCS).map((doc) => [doc.name, doc.help]));
    expect(await page.textContent('main')).toContain('--metrics-on-lan');
  });

  it('lists every close code and range, the demo server\'s own codes included, with the reconnect advice the cells follow', async () => {
    const table = page.getByRole('table', { name: /^Close codes/ });
    const rows = await table.locator('tbody tr').evaluateAll((items) =>
      items.map((item) => ({ code: item.getAttribute('data-code'), reconnect: item.querySelectorAll('td')[3]?.textContent })),
    );
    const expected = [
      ...CLOSE_CODES.map((entry) => ({ code: String(entry.code), reconnect: entry.reconnect, from: entry.code })),
      ...CLOSE_CODE_RANGES.map((range) => ({ code: `${String(range.from)}–${String(range.to)}`, reconnect: range.reconnect, from: range.from })),
      ...DEMO_SERVER_CLOSE_CODES.map((entry) => ({ code: String(entry.code), reconnect: entry.reconnect, from: entry.code })),
    ]
      .sort((a, b) => a.from - b.from)
      .map(({ code, reconnect }) => ({ code, reconnect: reconnect ? 'Yes' : 'No' }));
    expect(rows).toEqual(expected);
  });

  it("shows the server's --help text and every terminal-client mode", async () => {
    const text = (await page.locator('main').textContent()) ?? '';
    for (const line of USAGE.trim().split('\n')) expect(text).toContain(line.trim());
    const modeRows = await page.getByRole('table', { name: 'Modes of the terminal client' }).locator('tbody th').allTextContents();
    expect(modeRows.map((row) => row.trim().split(' ')[4])).toEqual(Object.keys(modes));
  });

  it('is in the sidebar, after the chapters, which are numbered by their place in the book', async () => {
    const sidebar = page.locator('nav[aria-label="Main"]');
    expect(await sidebar.getByRole('link', { name: 'Reference' }).getAttribute('href')).toBe('/reference/');
    expect(await sidebar.getByRole('link', { name: '7. Closing: close codes' }).getAttribute('href')).toBe('/closing/');
  });
});
