import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTarget } from '../../bench/targets.ts';
import { axeViolations } from '../helpers/axe.ts';
import { launchBrowser, newPage, SITE_DIR } from '../helpers/browser.ts';
import { checkExercise, checkSolution } from '../helpers/notebook-page.ts';
import { startClassServer } from '../helpers/server-process.ts';

/**
 * Class mode end to end: the real server process (`demo-server/main.ts
 * --classroom --data-dir <temp>`) serving the built site, a teacher's
 * dashboard and three students in separate browser contexts (separate
 * localStorage: separate students), clicking the real pages.
 */

/** Starts the class server; `port` 0 picks one, a number reuses the previous server's after a restart. */
function startClass(dataDir: string, port: number): Promise<RunningTarget> {
  return startClassServer(dataDir, SITE_DIR, port);
}

const EXERCISE = 'notebook-exercise[data-cell-id="closing/should-reconnect"]';

describe('class mode in the browser', () => {
  let browser: Browser;
  let dataDir: string;
  let server: RunningTarget;
  let token: string;
  const pages: Page[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    dataDir = await mkdtemp(joinPath(tmpdir(), 'socketbook-class-browser-'));
    server = await startClass(dataDir, 0);
    token = (await readFile(joinPath(dataDir, 'teacher-token'), 'utf8')).trim();
  });

  afterAll(async () => {
    for (const page of pages) await page.context().close();
    await browser.close();
    await server.stop(2_000);
    await rm(dataDir, { recursive: true, force: true });
  });

  async function open(path: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const opened = await newPage(browser);
    pages.push(opened.page);
    await opened.page.goto(`${server.httpOrigin}${path}`);
    return opened;
  }

  async function join(page: Page, name: string): Promise<void> {
    const bar = page.locator('classroom-bar');
    await bar.getByLabel('Your name for the teacher').fill(name);
    await bar.getByRole('button', { name: 'Join', exact: true }).click();
    await expect.poll(() => bar.locator('.sb-classroom-status').textContent()).toContain(`In the class as ${name}.`);
  }

  function row(dashboard: Page, table: 'students' | 'exercises', key: string): Locator {
    return dashboard.locator(`[data-part="${table}"] tr[data-${table === 'students' ? 'student' : 'exercise'}="${key}"]`);
  }

  it('refuses the dashboard plainly without the token or with a wrong one, and loads it with the right one', async () => {
    const { page: none, requests: asked } = await open('/teacher/');
    await expect.poll(() => none.locator('[data-part="status"]').textContent()).toContain('No teacher token in this link. Open the dashboard link the server printed');
    // Without a token there is nothing to ask: no snapshot request, so no 403 in the console.
    expect(asked.filter((url) => new URL(url).pathname.startsWith('/classroom/teacher/'))).toEqual([]);
    expect(await none.locator('[data-part="body"]').isHidden()).toBe(true);
    const { page: wrong } = await open(`/teacher/#token=${'x'.repeat(32)}`);
    await expect.poll(() => wrong.locator('[data-part="status"]').textContent()).toContain('Refused (403): the teacher token in this link is wrong');
    expect(await wrong.locator('[data-part="body"]').isHidden()).toBe(true);
  });

  it('shows three students joining, failing and solving live, reaches each with an announcement, and keeps it all across a restart', { timeout: 240_000 }, async () => {
    const { page: dashboard, errors: dashboardErrors } = await open(`/teacher/#token=${token}`);
    await expect.poll(() => dashboard.locator('[data-part="status"]').textContent()).toContain('Live: 0 of 0 students connected');
    // The token stays in the fragment: no request the dashboard made carried it in a URL query but the socket's.
    const requested: string[] = [];
    dashboard.on('request', (request) => requested.push(request.url()));

    const students: Page[] = [];
    const names = ['ada', 'grace', 'linus'];
    for (const name of names) {
      const { page } = await open('/closing/');
      await join(page, name);
      students.push(page);
    }
    const [ada, grace, linus] = students as [Page, Page, Page];
    await expect.poll(() => dashboard.locator('[data-part="status"]').textContent()).toContain('Live: 3 of 3 students connected');
    for (const name of names) {
      await expect.poll(() => dashboard.locator('[data-part="students"] th', { hasText: name }).count()).toBe(1);
    }
    expect(await dashboard.locator('[data-part="students"]').textContent()).toContain('Closing: close codes');

    // Ada and Grace fail with the starter; Ada then solves it; Linus solves it at once.
    const failed = await checkExercise(ada.locator(EXERCISE));
    expect(failed.outcome).toBe('failed');
    const firstFailure = Object.entries(failed.failures)[0];
    if (firstFailure === undefined) throw new Error('the starter passed');
    const [failedCheck, reason] = firstFailure;
    expect((await checkExercise(grace.locator(EXERCISE))).outcome).toBe('failed');
    expect((await checkSolution(ada.locator(EXERCISE))).outcome).toBe('passed');
    expect((await checkSolution(linus.locator(EXERCISE))).outcome).toBe('passed');

    const exercise = row(dashboard, 'exercises', 'should-reconnect');
    await expect.poll(() => exercise.locator('td').allTextContents()).toEqual(['4', '2', '1', `2 students: ${reason} (check: ${failedCheck})`, 'shown Hide']);
    const gridRow = (name: string) => dashboard.locator('[data-part="grid"] tbody tr', { has: dashboard.locator('th', { hasText: name }) }).locator('td[data-chapter="closing"]');
    await expect.poll(() => gridRow('ada').textContent()).toMatch(/^1\/\d+$/);
    await expect.poll(() => gridRow('grace').textContent()).toMatch(/^0\/\d+$/);

    // An announcement reaches every student, as text.
    const text = 'Five minutes left <b>not bold</b>';
    await dashboard.getByLabel('Announcement').fill(text);
    await dashboard.getByRole('button', { name: 'Send to every student' }).click();
    for (const student of students) {
      await expect.poll(() => student.locator('.sb-classroom-announcement').textContent()).toBe(`From the teacher: ${text}`);
      expect(await student.locator('.sb-classroom-announcement b').count()).toBe(0);
    }
    // Hiding a solution hides it on every student's page.
    await exercise.getByRole('button', { name: 'Hide the solution of should-reconnect' }).click();
    for (const student of students) await expect.poll(() => student.locator(`${EXERCISE} .sb-solution`).isHidden()).toBe(true);

    // A student cannot read the dashboard's data: the page is public, its data is not.
    const snapshotStatus = await grace.evaluate(async () => (await fetch('/classroom/teacher/snapshot')).status);
    expect(snapshotStatus).toBe(403);
    const { page: nosy } = await open(`/teacher/#token=${'y'.repeat(32)}`);
    await expect.poll(() => nosy.locator('[data-part="status"]').textContent()).toContain('Refused (403)');
    expect(await nosy.locator('[data-part="students"] tr').count()).toBe(0);

    const before = {
      students: await dashboard.locator('[data-part="students"] tr th').allTextContents(),
      exercise: await exercise.locator('td').allTextContents(),
      grid: await dashboard.locator('[data-part="grid"]').textContent(),
    };

    // SIGTERM, then a new process on the same port and data folder.
    const port = server.port;
    await server.stop(5_000);
    await expect.poll(() => dashboard.locator('[data-part="status"]').textContent()).toContain('Not live');
    server = await startClass(dataDir, port);
    await expect.poll(() => dashboard.locator('[data-part="status"]').textContent(), { timeout: 30_000 }).toContain('Live: 3 of 3 students connected');
    expect(await dashboard.locator('[data-part="students"] tr th').allTextContents()).toEqual(before.students);
    expect(await exercise.locator('td').allTextContents()).toEqual(before.exercise);
    expect(await dashboard.locator('[data-part="grid"]').textContent()).toBe(before.grid);
    // Students came back with their keys, so they are the same three, and still see the announcement.
    for (const student of students) expect(await student.locator('.sb-classroom-announcement').textContent()).toBe(`From the teacher: ${text}`);

    expect(requested.filter((url) => url.includes(token) && !new URL(url).pathname.startsWith('/ws/classroom/teacher'))).toEqual([]);
    expect(dashboardErrors).toEqual([]);
  });

  it('passes axe on the live dashboard, in light and dark themes', async () => {
    const { page } = await open(`/teacher/#token=${token}`);
    await expect.poll(() => page.locator('[data-part="status"]').textContent()).toContain('Live:');
    for (const theme of ['light', 'dark']) {
      await page.evaluate((value) => {
        document.documentElement.dataset.theme = value;
      }, theme);
      expect((await axeViolations(page)).map((violation) => `${theme}: ${violation.id} ${violation.help} at ${violation.targets.join(', ')}`)).toEqual([]);
    }
  });
});
