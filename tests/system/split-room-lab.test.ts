import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startInstance, type Running } from '../../demo-server/cluster/processes.ts';
import { ensureSiteBuilt } from '../../demo-server/site-build.ts';
import { launchBrowser, newPage, SITE_DIR } from '../helpers/browser.ts';
import { startCluster, type TestCluster } from '../helpers/cluster.ts';
import { lacks } from './servers.ts';

const origin = (port: number) => `http://127.0.0.1:${String(port)}`;
const wsOrigin = (port: number) => `ws://127.0.0.1:${String(port)}`;

/** Opens chapter 11 from the server on `pagePort`, points the lab's panes at two servers and connects both. */
async function openLab(browser: Browser, pagePort: number, ports: readonly [number, number]): Promise<{ page: Page; lab: Locator; errors: string[] }> {
  const { page, errors } = await newPage(browser);
  await page.goto(`${origin(pagePort)}/scaling/`);
  const lab = page.locator('split-room-lab');
  await lab.scrollIntoViewIfNeeded();
  await lab.getByLabel('Pane A server').fill(wsOrigin(ports[0]));
  await lab.getByLabel('Pane B server').fill(wsOrigin(ports[1]));
  await lab.getByRole('button', { name: 'Connect both' }).click();
  return { page, lab, errors };
}

const pane = (lab: Locator, name: 'A' | 'B') => lab.getByRole('region', { name: `Pane ${name}`, exact: true });
const log = (lab: Locator, name: 'A' | 'B') => lab.getByRole('list', { name: `Pane ${name} messages` });

/** Sends the pane's prefilled "hello from X" and waits until the pane shows it back from its server. */
async function send(lab: Locator, name: 'A' | 'B'): Promise<void> {
  await pane(lab, name).getByRole('button', { name: 'Send' }).click();
  await expect.poll(() => log(lab, name).innerText(), { timeout: 10_000 }).toContain(`hello from ${name}`);
}

/** What the reader sees, for the chapter's recorded transcript and for failure messages. */
async function transcript(lab: Locator): Promise<string> {
  const status = await lab.locator('.sb-status-text').innerText();
  return `${status}\nPane A\n${await log(lab, 'A').innerText()}\nPane B\n${await log(lab, 'B').innerText()}`;
}

describe.skipIf(lacks('redis-server'))('the split-room lab (chapter 11) against real servers', () => {
  let browser: Browser;
  let dir = '';
  const solo: Running[] = [];
  let cluster: TestCluster;

  beforeAll(async () => {
    // `npm run test:system` alone has no browser project to build the site first (under `npm test` it is built by now).
    await ensureSiteBuilt(process.cwd());
    dir = await mkdtemp(join(tmpdir(), 'socketbook-split-lab-'));
    // Two servers with their own memory, as the chapter's two `npm run serve` commands start them…
    for (const name of ['solo-1', 'solo-2']) solo.push(await startInstance({ port: 0, redisUrl: null, args: ['--site', SITE_DIR], name }));
    // …and two instances sharing Redis, as npm run cluster starts them.
    cluster = await startCluster({ instances: 2, args: ['--site', SITE_DIR] });
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser.close();
    await cluster.stop();
    for (const each of solo) await each.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the split room with two servers that keep rooms in their own memory: two epochs, nothing crosses', async () => {
    const [a, b] = solo.map((each) => each.port) as [number, number];
    const { lab, errors } = await openLab(browser, a, [a, b]);
    await expect.poll(() => lab.locator('[data-broker]').innerText()).toContain('keeps chat rooms in its own memory');
    await expect.poll(() => lab.locator('.sb-status-text').innerText(), { timeout: 10_000 }).toMatch(/^Split: two rooms named "split-[a-z0-9]+"\. A's server says epoch \S+, B's says \S+: each process made its own room\./);
    await send(lab, 'A');
    // B sends after A's message is logged; in one room B would have A's message before its own.
    await send(lab, 'B');
    const shown = await transcript(lab);
    console.log(`split room, as the lab showed it:\n${shown}`);
    expect(await log(lab, 'A').innerText(), shown).not.toContain('hello from B');
    expect(await log(lab, 'B').innerText(), shown).not.toContain('hello from A');
    expect(await log(lab, 'A').locator('li[data-crossed="no"]').allInnerTexts()).toEqual([expect.stringContaining('hello from A (not at B)')]);
    expect(await log(lab, 'B').locator('li[data-crossed="no"]').allInnerTexts()).toEqual([expect.stringContaining('hello from B (not at A)')]);
    expect(errors).toEqual([]);
  });

  it('shows one room with two instances sharing Redis: one epoch, both messages in both panes with the same ids', async () => {
    const [a, b] = cluster.instances.map((each) => each.port) as [number, number];
    const { lab, errors } = await openLab(browser, a, [a, b]);
    await expect.poll(() => lab.locator('[data-broker]').innerText()).toContain('keeps chat rooms in Redis');
    await expect.poll(() => lab.locator('.sb-status-text').innerText(), { timeout: 10_000 }).toMatch(/^One room: both servers say epoch \S+ for "split-[a-z0-9]+"\. Messages cross, with ids from one sequence\./);
    await send(lab, 'A');
    await expect.poll(() => log(lab, 'B').innerText()).toContain('hello from A');
    await send(lab, 'B');
    await expect.poll(() => log(lab, 'A').innerText()).toContain('hello from B');
    const shown = await transcript(lab);
    console.log(`shared room, as the lab showed it:\n${shown}`);
    const ids = async (name: 'A' | 'B') => log(lab, name).locator('li').evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.id));
    expect(await ids('A'), shown).toEqual(await ids('B'));
    const [first, second] = (await ids('A')).map(Number);
    expect(second, shown).toBe((first ?? NaN) + 1);
    expect(await log(lab, 'A').locator('li[data-crossed="yes"]').allInnerTexts()).toEqual([expect.stringContaining('hello from A (also at B)')]);
    expect(await log(lab, 'B').locator('li[data-crossed="yes"]').allInnerTexts()).toEqual([expect.stringContaining('hello from B (also at A)')]);
    expect(errors).toEqual([]);
  });

  it('says how to start a second server when nothing answers at pane B', async () => {
    const [a] = solo.map((each) => each.port) as [number];
    // A port that was free a moment ago: nothing listens there.
    const nobody = await freePort();
    const { lab } = await openLab(browser, a, [a, nobody]);
    await expect
      .poll(() => lab.locator('.sb-status-text').innerText(), { timeout: 15_000 })
      .toMatch(new RegExp(`^Pane B: no demo server answered at ws://127\\.0\\.0\\.1:${String(nobody)} \\(close 1006\\)\\. For the split room, run two servers .* npm run cluster\\.`));
  });
});
