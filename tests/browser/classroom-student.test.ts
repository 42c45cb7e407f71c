import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningTarget } from '../../bench/targets.ts';
import type { ClassSnapshot } from '../../src/shared/protocol/classroom.ts';
import { launchBrowser, newPage, SITE_DIR, useSiteInBrowser } from '../helpers/browser.ts';
import { startClassServer } from '../helpers/server-process.ts';

/** The student's side of class mode, one behaviour at a time, against the real server process. */

const PROGRESS = 'socketbook:progress';
const KEY = 'socketbook:classroom-key';

describe('class mode off', () => {
  const session = useSiteInBrowser();

  it('opens no socket and loads no class code: one status request, and the bar stays hidden', async () => {
    const { page, requests } = await newPage(session.browser);
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${session.running.httpUrl}/closing/`);
    await page.waitForLoadState('networkidle');
    expect(requests.filter((url) => url.endsWith('/classroom/status'))).toHaveLength(1);
    expect(requests.filter((url) => /\/_astro\/student\./.test(url))).toEqual([]);
    expect(sockets.filter((url) => url.includes('/ws/classroom'))).toEqual([]);
    expect(await page.locator('classroom-bar').isHidden()).toBe(true);
    await page.context().close();
  });

  it('has the teacher dashboard say that class mode is off, not that the link lacks a token', async () => {
    const { page, requests } = await newPage(session.browser);
    await page.goto(`${session.running.httpUrl}/teacher/`);
    await expect.poll(() => page.locator('[data-part="status"]').textContent()).toContain('Class mode is off on this server: start it with `npm start -- --classroom`');
    expect(requests.filter((url) => url.includes('/classroom/teacher/'))).toEqual([]);
    await page.context().close();
  });
});

describe('class mode on, a student\'s page', () => {
  let browser: Browser;
  let dataDir: string;
  let server: RunningTarget;
  let token: string;
  const pages: Page[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    dataDir = await mkdtemp(joinPath(tmpdir(), 'socketbook-class-student-'));
    server = await startClassServer(dataDir, SITE_DIR);
    token = (await readFile(joinPath(dataDir, 'teacher-token'), 'utf8')).trim();
  });

  afterAll(async () => {
    for (const page of pages) await page.context().close();
    await browser.close();
    await server.stop(2_000);
    await rm(dataDir, { recursive: true, force: true });
  });

  async function open(path = '/closing/', storage: Record<string, string> = {}): Promise<{ page: Page; sockets: string[] }> {
    const { page } = await newPage(browser);
    pages.push(page);
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    if (Object.keys(storage).length > 0) {
      await page.context().addInitScript((entries) => {
        // Only before the first load: a reload keeps what the page stored since.
        if (sessionStorage.getItem('seeded') !== null) return;
        sessionStorage.setItem('seeded', '1');
        for (const [key, value] of Object.entries(entries)) localStorage.setItem(key, value);
      }, storage);
    }
    await page.goto(`${server.httpOrigin}${path}`);
    return { page, sockets };
  }

  const status = (page: Page) => page.locator('classroom-bar .sb-classroom-status');

  async function join(page: Page, name: string): Promise<void> {
    await page.getByLabel('Your name for the teacher').fill(name);
    await page.getByRole('button', { name: 'Join', exact: true }).click();
  }

  async function teacher(): Promise<{ send(message: object): void; snapshot(): Promise<ClassSnapshot>; close(): void }> {
    const socket = new WebSocket(`${server.wsOrigin}/ws/classroom/teacher?token=${token}`);
    await once(socket, 'open');
    return {
      send: (message) => socket.send(JSON.stringify(message)),
      async snapshot() {
        const response = await fetch(`${server.httpOrigin}/classroom/teacher/snapshot`, { headers: { authorization: `Bearer ${token}` } });
        return (await response.json()) as ClassSnapshot;
      },
      close: () => socket.close(),
    };
  }

  it('offers the prompt once: Skip hides it for good and opens no socket', async () => {
    const { page, sockets } = await open();
    await expect.poll(() => page.getByLabel('Your name for the teacher').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Skip' }).click();
    await expect.poll(() => status(page).textContent()).toBe('Not in the class.');
    await page.reload();
    await expect.poll(() => status(page).textContent()).toBe('Not in the class.');
    expect(await page.getByLabel('Your name for the teacher').isVisible()).toBe(false);
    expect(sockets).toEqual([]);
  });

  it('shows why a name is refused (one that looks like a taken one), lets the student pick another, and keeps them after a reload', async () => {
    const { page: first } = await open();
    await join(first, 'ada');
    await expect.poll(() => status(first).textContent()).toBe('In the class as ada.');
    const { page: second } = await open();
    // A Cyrillic "а" (U+0430) in place of the Latin "a".
    await join(second, '\u0430da');
    await expect.poll(() => second.locator('.sb-classroom-refusal').textContent()).toBe('Not joined: another student of this class has this name, or one that looks like it: "\u0430da".');
    await join(second, 'bob');
    await expect.poll(() => status(second).textContent()).toBe('In the class as bob.');
    expect(await second.locator('.sb-classroom-refusal').isHidden()).toBe(true);
    await second.reload();
    await expect.poll(() => status(second).textContent()).toBe('In the class as bob.');
    expect(await second.getByLabel('Your name for the teacher').isVisible()).toBe(false);
  });

  it('merges the browser\'s own progress at join, and forgets it when the teacher resets the student', async () => {
    const solvedAt = Date.now() - 60_000;
    const { page } = await open('/closing/', { [PROGRESS]: JSON.stringify({ 'closing/should-reconnect': { chapter: 'closing', solvedAt } }) });
    await join(page, 'carol');
    await expect.poll(() => status(page).textContent()).toBe('In the class as carol.');
    const desk = await teacher();
    const row = (await desk.snapshot()).students.find((student) => student.name === 'carol');
    expect(row?.solved).toEqual(['should-reconnect']);
    desk.send({ type: 'reset-student', id: 1, student: row?.id ?? 0 });
    await expect.poll(() => page.evaluate((key) => localStorage.getItem(key), PROGRESS)).toBeNull();
    await expect.poll(() => page.locator('notebook-exercise[data-cell-id="closing/should-reconnect"]').getAttribute('data-solved')).toBe('false');
    desk.close();
  });

  it('shows "bring everyone here" as a link to the section, and hides and shows solutions as the teacher says', async () => {
    const { page } = await open('/');
    await join(page, 'dave');
    await expect.poll(() => status(page).textContent()).toBe('In the class as dave.');
    const desk = await teacher();
    desk.send({ type: 'bring', id: 1, chapter: 'closing', section: 'close-codes' });
    const link = page.locator('.sb-classroom-bring a');
    await expect.poll(() => link.getAttribute('href')).toBe('/closing/#close-codes');
    await link.click();
    await page.waitForURL('**/closing/#close-codes');
    desk.send({ type: 'solution', id: 2, exercise: 'safe-close', visible: false });
    const solution = page.locator('notebook-exercise[data-cell-id="closing/safe-close"] .sb-solution');
    await expect.poll(() => solution.isHidden()).toBe(true);
    desk.send({ type: 'solution', id: 3, exercise: 'safe-close', visible: true });
    await expect.poll(() => solution.isVisible()).toBe(true);
    desk.close();
  });

  it('moves a student to another browser with a one-time code', async () => {
    const { page } = await open();
    await join(page, 'erin');
    await expect.poll(() => status(page).textContent()).toBe('In the class as erin.');
    await page.getByRole('button', { name: 'Move to another browser' }).click();
    const code = (await page.locator('.sb-classroom-code').textContent({ timeout: 10_000 })) ?? '';
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    const { page: other } = await open();
    await other.getByLabel('Moving from another browser? Its code').fill(code.toLowerCase());
    await other.getByRole('button', { name: 'Join with the code' }).click();
    await expect.poll(() => status(other).textContent()).toBe('In the class as erin.');
    // Used once: a third browser is refused, with the server's reason.
    const { page: third } = await open();
    await third.getByLabel('Moving from another browser? Its code').fill(code);
    await third.getByRole('button', { name: 'Join with the code' }).click();
    await expect.poll(() => third.locator('.sb-classroom-refusal').textContent()).toContain('unknown transfer code');
  });

  it('forgets a key the class does not know (4403) and joins again as a new student, once', async () => {
    const { page, sockets } = await open('/closing/', { [KEY]: 'A'.repeat(32) });
    await expect.poll(() => status(page).textContent()).toBe('In the class as a student without a name.');
    const key = await page.evaluate((name) => localStorage.getItem(name), KEY);
    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(key).not.toBe('A'.repeat(32));
    expect(sockets.length).toBe(2);
  });
});
