import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance, type Running } from '../../demo-server/cluster/processes.ts';
import { ensureSiteBuilt } from '../../demo-server/site-build.ts';
import { launchBrowser, newPage, SITE_DIR } from '../helpers/browser.ts';
import { startCluster, type TestCluster } from '../helpers/cluster.ts';
import { lacks } from './servers.ts';

const origin = (port: number) => `http://127.0.0.1:${String(port)}`;

async function openChapter(browser: Browser, port: number, lab: 'failover-lab' | 'drain-lab'): Promise<{ page: Page; lab: Locator; errors: string[] }> {
  const { page, errors } = await newPage(browser);
  await page.goto(`${origin(port)}/scaling/`);
  const element = page.locator(lab);
  await element.scrollIntoViewIfNeeded();
  return { page, lab: element, errors };
}

const status = (lab: Locator) => lab.locator('.sb-status-text').innerText();
const log = (lab: Locator, name: 'A' | 'B') => lab.getByRole('list', { name: `Pane ${name} messages` });
const ids = (lab: Locator, name: 'A' | 'B') => log(lab, name).locator('li').evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.id)));

/**
 * Chapter 11's failover and draining labs, clicked in Chromium against
 * `npm run cluster`'s arrangement: real redis-server, two instances with
 * the cluster's secret and control server, and nginx in front when it is
 * installed. Without the cluster, the labs say what they need.
 */
describe.skipIf(lacks('redis-server'))("chapter 11's failover and draining labs against a real cluster", () => {
  let browser: Browser;
  let cluster: TestCluster;
  let solo: Running;

  beforeAll(async () => {
    await ensureSiteBuilt(process.cwd());
    cluster = await startCluster({ instances: 2, admin: true, proxy: !lacks('nginx'), args: ['--site', SITE_DIR] });
    solo = await startInstance({ port: 0, redisUrl: null, args: ['--site', SITE_DIR], name: 'solo' });
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser.close();
    await cluster.stop();
    await solo.stop();
  });

  it('stops instance B from the page: pane B drops with 1006, resumes on the other instance, misses nothing and gets nothing twice', async () => {
    // Through nginx when it is installed, as a reader opens it: the stop may then be relayed by the very instance it kills.
    const pagePort = cluster.proxy?.port ?? cluster.instances[0]?.port ?? 0;
    const { page, lab, errors } = await openChapter(browser, pagePort, 'failover-lab');
    await lab.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => status(lab), { timeout: 15_000 }).toMatch(/^Both joined: pane A on demo-[12], pane B on demo-[12], one room through Redis\./);
    const [, nameA = '', nameB = ''] = /pane A on (demo-\d), pane B on (demo-\d)/.exec(await status(lab)) ?? [];
    expect(nameA).not.toBe(nameB);
    await lab.getByRole('button', { name: 'Stop instance B' }).click();
    await expect.poll(() => status(lab), { timeout: 10_000 }).toMatch(new RegExp(`${nameB} is gone\\. Pane B's connection dropped with 1006, no close frame|Pane B resumed`));
    const where = cluster.proxy === null ? `on ${nameA}` : `through nginx, on an instance that is running \\(${nameB} is not\\)`;
    await expect.poll(() => status(lab), { timeout: 20_000 }).toMatch(new RegExp(`^Pane B resumed ${where}, resumed after #\\d+: \\d+ events you missed`));
    await expect.poll(() => lab.locator('[data-report]').innerText()).toMatch(/^missed while away: /);
    const report = await lab.locator('[data-report]').innerText();
    const shown = `${await status(lab)}\n${report}\nPane A\n${await log(lab, 'A').innerText()}\nPane B\n${await log(lab, 'B').innerText()}`;
    console.log(`failover, as the lab showed it:\n${shown}`);
    expect(report, shown).toMatch(/^missed while away: [3-9]\d*, duplicates: 0, lost: 0$/);
    await expect.poll(() => log(lab, 'B').innerText()).toContain('sent while B was away (3/3)');
    const atA = await ids(lab, 'A');
    expect(await ids(lab, 'B'), shown).toEqual(atA);
    expect(atA.length, shown).toBe(3);
    // The process is really gone: the control server says so.
    const slotB = cluster.slots.find((slot) => slot.name === nameB);
    expect(slotB?.state).toBe('stopped');
    await lab.getByRole('button', { name: 'Start it again' }).click();
    await expect.poll(() => lab.locator('[data-report]').innerText(), { timeout: 25_000 }).toContain(`${nameB} started again on port`);
    expect(slotB?.state).toBe('running');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('draws the herd: without jitter the busiest 100 ms has more handshakes than with full jitter', async () => {
    const [a] = cluster.instances.map((each) => each.port) as [number];
    const { lab, errors } = await openChapter(browser, a, 'drain-lab');
    // 200 clients: the herd's spike stands out even on a loaded machine, where handshakes queue up.
    await lab.getByLabel('Clients').fill('200');
    const peak = async (mode: 'no-jitter' | 'full-jitter'): Promise<number> => {
      await lab.getByRole('button', { name: mode === 'no-jitter' ? 'Run without jitter' : 'Run with full jitter' }).click();
      await expect.poll(() => status(lab), { timeout: 30_000 }).toMatch(/Done: the clients were closed \(1000\)\.$/);
      const line = await lab.locator(`[data-result="${mode}"]`).innerText();
      // Every client was closed with 1012 and came back within the window (the instance's own count).
      expect(line).toMatch(/: 200 clients closed with 1012, .*; \d+ handshakes came back; busiest 100 ms: \d+\.$/);
      return Number(await lab.locator(`[data-result="${mode}"]`).getAttribute('data-peak'));
    };
    const herd = await peak('no-jitter');
    const spread = await peak('full-jitter');
    const buckets = async (mode: string) => (await lab.locator(`[data-result="${mode}"]`).getAttribute('data-buckets')) ?? '';
    const shown = `${await lab.locator('.sb-drain-results').innerText()}\nper 100 ms, no jitter:   ${await buckets('no-jitter')}\nper 100 ms, full jitter: ${await buckets('full-jitter')}`;
    console.log(`draining, as the lab showed it:\n${shown}`);
    expect(herd, shown).toBeGreaterThan(spread);
    expect(errors).toEqual([]);
  }, 90_000);

  it('refuses the actions without the secret and answers hostile parameters with a clear 400', async () => {
    const [a] = cluster.instances.map((each) => each.port) as [number];
    const post = async (path: string, secret: string | null) => {
      const response = await fetch(`${origin(a)}/cluster/instances/${path}`, { method: 'POST', headers: secret === null ? {} : { authorization: `Bearer ${secret}` } });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    const secret = cluster.secret ?? '';
    expect((await post('demo-2/stop', null)).status).toBe(401);
    expect((await post('demo-2/stop', 'x'.repeat(secret.length))).status).toBe(401);
    expect(cluster.slots[1]?.state).toBe('running');
    expect(await post('demo-2/herd?to=demo-1&mode=no-jitter&clients=5000', secret)).toEqual({ status: 400, body: { error: 'clients must be a whole number from 10 to 200, got "5000"' } });
    expect(await post('demo-2/herd?to=demo-1&mode=stampede&clients=10', secret)).toEqual({ status: 400, body: { error: 'mode must be no-jitter or full-jitter, got "stampede"' } });
    expect(await post('demo-2/herd?to=demo-2&mode=no-jitter&clients=10', secret)).toEqual({ status: 400, body: { error: 'to must name another instance (demo-1, demo-2)' } });
    expect((await post('demo-1/start', secret)).status).toBe(409);
    expect((await post('..%2F..%2Fetc/stop', secret)).status).toBe(404);
  });

  it('says what it needs on a server npm run cluster did not start, and acts on nothing', async () => {
    const { lab } = await openChapter(browser, solo.port, 'failover-lab');
    await lab.getByRole('button', { name: 'Connect' }).click();
    await expect
      .poll(() => status(lab), { timeout: 10_000 })
      .toBe(
        "This lab needs npm run cluster, with this page opened from one of its addresses on the machine that runs it. This page's server says: cluster admin actions are off: this server was not started by npm run cluster. The chapter shows a recorded run below.",
      );
    const drain = await openChapter(browser, solo.port, 'drain-lab');
    await drain.lab.getByRole('button', { name: 'Run without jitter' }).click();
    await expect.poll(() => status(drain.lab), { timeout: 10_000 }).toMatch(/^This lab needs npm run cluster, .* not started by npm run cluster\. The chapter shows a recorded run below\.$/);
  });
});
